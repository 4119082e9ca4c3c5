import { api } from '../api';
import { formatNumber, formatTimestamp } from '../format';
import { useAsync } from '../hooks/useAsync';
import type { Sweep, WalkForward } from '../types';
import { DataTable, type Column } from './DataTable';
import { EquityCharts } from './EquityCharts';
import { summaryColumns } from './ResultView';

const CURVE_MAX_POINTS = 2000;

type FoldRow = WalkForward['folds'][number];

const segment = (start: unknown, end: unknown) =>
  `${formatTimestamp(String(start)).slice(0, 10)} → ${formatTimestamp(String(end)).slice(0, 10)}`;

/** Symbol and fold, both segments, the parameters chosen in sample, then in- and out-of-sample objective and return. */
function foldColumns(sweep: Sweep): Column<FoldRow>[] {
  const metric = sweep.objective.metric;
  return [
    { key: 'symbol' },
    { key: 'fold', numeric: true },
    { key: 'in_sample', label: 'in sample', render: (row) => segment(row.in_sample_start, row.in_sample_end) },
    { key: 'out_of_sample', label: 'out of sample', render: (row) => segment(row.out_of_sample_start, row.out_of_sample_end) },
    { key: 'combo_id', label: 'combo #', numeric: true },
    ...Object.keys(sweep.grid).map((name) => ({ key: name, numeric: true, className: 'param-column' })),
    { key: 'in_sample_objective', label: `IS ${metric}`, numeric: true },
    { key: 'out_of_sample_objective', label: `OOS ${metric}`, numeric: true },
    { key: 'in_sample_return_pct', label: 'IS return %', numeric: true },
    { key: 'out_of_sample_return_pct', label: 'OOS return %', numeric: true },
  ];
}

/** The walk-forward result: each fold's choice and how it did out of sample, the efficiency, the stitched curve. */
export function WalkForwardView({ sweep }: { sweep: Sweep }) {
  const view = useAsync(
    () => api.getSweepWalkForward({ params: { id: sweep.sweep_id }, query: { max_points: CURVE_MAX_POINTS } }),
    [sweep.sweep_id],
  );
  const walkForward = view.value;
  if (!walkForward) {
    return <div className={view.error ? 'form-error' : 'hint'}>{view.error ?? 'Loading the walk-forward result…'}</div>;
  }
  return (
    <section className="result-section walk-forward" data-testid="walk-forward">
      <div className="section-heading">
        <h3>Walk-forward</h3>
        <div
          className="efficiency"
          data-testid="walk-forward-efficiency"
          title="mean over folds of annualised out-of-sample return / annualised in-sample return"
        >
          efficiency <b>{formatNumber(walkForward.efficiency)}</b>
          <span className="hint"> (out-of-sample / in-sample annualised return, mean over folds)</span>
        </div>
      </div>
      <DataTable
        testId="walk-forward-folds"
        rows={walkForward.folds}
        columns={foldColumns(sweep)}
        rowKey={(row) => `${row.symbol}:${row.fold}`}
        sortable
      />
      <h3>Stitched out-of-sample result</h3>
      <DataTable
        testId="walk-forward-stitched"
        rows={walkForward.stitched}
        columns={summaryColumns(walkForward.stitched)}
        rowKey={(row) => row.symbol}
        sortable
      />
      <EquityCharts points={walkForward.curve} symbols={sweep.symbols} />
    </section>
  );
}
