import {
  AreaSeries,
  createChart,
  LineSeries,
  type DeepPartial,
  type ChartOptions,
  type IChartApi,
  type LogicalRange,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useMemo, useRef } from 'react';
import { formatNumber } from '../format';
import type { CurvePoint } from '../types';

const SYMBOL_COLORS = ['#2962ff', '#e65100', '#2e7d32', '#8e24aa', '#c62828', '#00838f', '#6d4c41', '#546e7a'];

export const chartOptions: DeepPartial<ChartOptions> = {
  autoSize: true,
  layout: { background: { color: '#ffffff' }, textColor: '#333', fontSize: 11, attributionLogo: true },
  grid: { vertLines: { color: '#f0f0f0' }, horzLines: { color: '#f0f0f0' } },
  // One width for both price scales, so the two time axes line up.
  rightPriceScale: { borderVisible: false, minimumWidth: 90 },
  timeScale: { borderVisible: false, timeVisible: true },
};

const formatDrawdown = (value: number) => `${value.toFixed(1)}%`;

interface SymbolCurve {
  symbol: string;
  color: string;
  equity: { time: UTCTimestamp; value: number }[];
  /** Drawdown below zero, so the area hangs down from the top of its pane. */
  drawdown: { time: UTCTimestamp; value: number }[];
}

/** `palette` lists every symbol of the task, so a symbol keeps its colour when shown alone. */
function curvesBySymbol(points: CurvePoint[], palette: string[]): SymbolCurve[] {
  const curves = new Map<string, SymbolCurve>();
  for (const point of points) {
    let curve = curves.get(point.symbol);
    if (!curve) {
      const color = SYMBOL_COLORS[Math.max(0, palette.indexOf(point.symbol)) % SYMBOL_COLORS.length];
      curve = { symbol: point.symbol, color, equity: [], drawdown: [] };
      curves.set(point.symbol, curve);
    }
    const time = (Date.parse(point.timestamp) / 1000) as UTCTimestamp;
    curve.equity.push({ time, value: point.equity });
    curve.drawdown.push({ time, value: -point.drawdown });
  }
  return [...curves.values()];
}

/** Scrolling or zooming either chart moves the other the same way. */
function linkTimeScales(charts: IChartApi[]): void {
  for (const source of charts) {
    source.timeScale().subscribeVisibleLogicalRangeChange((range: LogicalRange | null) => {
      if (!range) return;
      for (const target of charts) if (target !== source) target.timeScale().setVisibleLogicalRange(range);
    });
  }
}

/** Equity per symbol as lines, drawdown (%) beneath as areas, on one linked time axis. */
export function EquityCharts({ points, symbols }: { points: CurvePoint[]; symbols: string[] }) {
  const equityContainer = useRef<HTMLDivElement>(null);
  const drawdownContainer = useRef<HTMLDivElement>(null);
  const curves = useMemo(() => curvesBySymbol(points, symbols), [points, symbols]);

  useEffect(() => {
    const equityChart = createChart(equityContainer.current!, { ...chartOptions, localization: { priceFormatter: formatNumber } });
    const drawdownChart = createChart(drawdownContainer.current!, { ...chartOptions, localization: { priceFormatter: formatDrawdown } });
    for (const curve of curves) {
      equityChart
        .addSeries(LineSeries, { color: curve.color, lineWidth: 2, title: curve.symbol, priceLineVisible: false })
        .setData(curve.equity);
      drawdownChart
        .addSeries(AreaSeries, {
          lineColor: curve.color,
          topColor: `${curve.color}30`,
          bottomColor: `${curve.color}08`,
          lineWidth: 1,
          invertFilledArea: true,
          priceLineVisible: false,
        })
        .setData(curve.drawdown);
    }
    equityChart.timeScale().fitContent();
    drawdownChart.timeScale().fitContent();
    linkTimeScales([equityChart, drawdownChart]);
    return () => {
      equityChart.remove();
      drawdownChart.remove();
    };
  }, [curves]);

  return (
    <div className="charts" data-testid="chart-container">
      <div className="chart-legend">
        {curves.map((curve) => (
          <span key={curve.symbol}>
            <i style={{ background: curve.color }} />
            {curve.symbol}
          </span>
        ))}
      </div>
      <div className="chart-label">Equity</div>
      <div ref={equityContainer} className="chart equity-chart" data-testid="equity-chart" />
      <div className="chart-label">Drawdown %</div>
      <div ref={drawdownContainer} className="chart drawdown-chart" data-testid="drawdown-chart" />
    </div>
  );
}
