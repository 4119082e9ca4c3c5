import { lazy, Suspense, useState } from 'react';
import { api } from '../api';
import { sweepMetrics } from '../../../src/contracts/sweepRequest';
import { useAsync } from '../hooks/useAsync';
import type { Sweep, SweepMetric } from '../types';
import { ALL_SYMBOLS, FoldSelect } from './SweepSlices';
import { SymbolSelect } from './SymbolSelect';

/** ECharts is loaded with the first heatmap, not with the page. */
const HeatmapChart = lazy(() => import('./HeatmapChart'));

type Reduce = 'best' | 'max' | 'min' | 'mean';

const REDUCED_AS = { max: 'maximum', min: 'minimum', mean: 'mean' } as const;

interface Axes {
  x: string;
  y: string;
}

/** A metric over two swept parameters, reduced over the others; any two, any metric, one symbol or all. */
export function SweepHeatmap({ sweep }: { sweep: Sweep }) {
  const parameters = Object.keys(sweep.grid);
  const [axes, setAxes] = useState<Axes>({ x: parameters[0], y: parameters[1] });
  const [metric, setMetric] = useState<SweepMetric>(sweep.objective.metric);
  const [symbol, setSymbol] = useState(ALL_SYMBOLS);
  const [fold, setFold] = useState<number>();
  const [reduce, setReduce] = useState<Reduce>('best');
  const drawable = parameters.length >= 2;
  const heatmap = useAsync(
    () =>
      drawable
        ? api.getSweepHeatmap({ params: { id: sweep.sweep_id }, query: { ...axes, metric, symbol, fold, reduce } })
        : Promise.resolve(undefined),
    [sweep.sweep_id, axes.x, axes.y, metric, symbol, fold, reduce],
  );
  if (!drawable) {
    return (
      <section className="result-section">
        <h3>Heatmap</h3>
        <div className="hint">Sweep two parameters or more to see a metric over any two of them.</div>
      </section>
    );
  }

  /** Choosing for one axis the other's parameter swaps them. */
  const chooseAxis = (axis: keyof Axes, name: string) =>
    setAxes((current) => {
      const swapped = name === (axis === 'x' ? current.y : current.x);
      if (axis === 'x') return { x: name, y: swapped ? current.x : current.y };
      return { x: swapped ? current.y : current.x, y: name };
    });
  const axisSelect = (axis: keyof Axes) => (
    <label>
      {axis}{' '}
      <select value={axes[axis]} onChange={(event) => chooseAxis(axis, event.target.value)} data-testid={`heatmap-${axis}`}>
        {parameters.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section className="result-section" data-testid="sweep-heatmap">
      <div className="section-heading">
        <h3>Heatmap</h3>
        <div className="section-controls">
          {axisSelect('x')}
          {axisSelect('y')}
          <label>
            Metric{' '}
            <select value={metric} onChange={(event) => setMetric(event.target.value as SweepMetric)} data-testid="heatmap-metric">
              {sweepMetrics.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <SymbolSelect
            symbols={sweep.symbols}
            value={symbol}
            onChange={setSymbol}
            allOption={{ value: ALL_SYMBOLS, label: 'all (mean)' }}
            testId="heatmap-symbol"
          />
          <FoldSelect sweep={sweep} value={fold} onChange={setFold} testId="heatmap-fold" />
          <label title="over the other swept parameters">
            Other parameters{' '}
            <select value={reduce} onChange={(event) => setReduce(event.target.value as Reduce)} data-testid="heatmap-reduce">
              <option value="best">best</option>
              <option value="max">max</option>
              <option value="min">min</option>
              <option value="mean">mean</option>
            </select>
          </label>
        </div>
      </div>
      {heatmap.error && <div className="form-error">{heatmap.error}</div>}
      {heatmap.value && (
        <div className="hint heatmap-caption">
          Colour: <b>{heatmap.value.metric}</b>, the {REDUCED_AS[heatmap.value.reduce]} over the other swept parameters
          {symbol === ALL_SYMBOLS ? ' of the mean over symbols' : ` on ${symbol}`}
          {fold === undefined ? '' : `, fold ${fold} in sample`}. A blank cell has no value.
        </div>
      )}
      <Suspense fallback={<div className="heatmap-chart hint">Loading the chart…</div>}>
        {heatmap.value ? <HeatmapChart heatmap={heatmap.value} /> : <div className="heatmap-chart hint">Loading heatmap…</div>}
      </Suspense>
    </section>
  );
}
