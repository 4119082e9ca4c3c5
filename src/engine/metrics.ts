import { summaryMetrics, type Candles, type EquityCurve, type SummaryColumns, type SymbolSummary, type Trades } from './types';

/**
 * Per-symbol summary figures. Every formula is written out in docs/metrics.md; bump METRICS_VERSION
 * whenever one of them changes, so stored results say which definitions produced them.
 */
export const METRICS_VERSION = '1.1.0';

/** Columns for `rows` summaries (see `SummaryColumns`), zero-filled. */
export function allocateSummaryColumns(rows: number): SummaryColumns {
  const columns = {} as SummaryColumns;
  for (const metric of summaryMetrics) columns[metric] = new Float64Array(rows);
  return columns;
}

/** A stored null (NaN) back to null. */
function nullIfNaN(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** Row `row` of summary columns as a `SymbolSummary` (NaN -> null). */
export function summaryOfRow(columns: SummaryColumns, row: number): SymbolSummary {
  return {
    win_rate: columns.win_rate[row],
    avg_return: columns.avg_return[row],
    max_return: columns.max_return[row],
    min_return: columns.min_return[row],
    max_drawdown: columns.max_drawdown[row],
    avg_hold_bars: columns.avg_hold_bars[row],
    total_signals: columns.total_signals[row],
    winning_signals: columns.winning_signals[row],
    losing_signals: columns.losing_signals[row],
    total_pnl: columns.total_pnl[row],
    total_pnl_pct: columns.total_pnl_pct[row],
    sharpe: nullIfNaN(columns.sharpe[row]),
    sortino: nullIfNaN(columns.sortino[row]),
    profit_factor: nullIfNaN(columns.profit_factor[row]),
    expectancy: nullIfNaN(columns.expectancy[row]),
    exposure_pct: nullIfNaN(columns.exposure_pct[row]),
    cagr: nullIfNaN(columns.cagr[row]),
    buy_and_hold_return_pct: nullIfNaN(columns.buy_and_hold_return_pct[row]),
  };
}

/** A non-finite figure is undefined: stored as NaN (null). */
function finiteOrNaN(value: number): number {
  return Number.isFinite(value) ? value : NaN;
}

/**
 * Sharpe, Sortino and CAGR from the per-bar equity returns (backtesting.py's compounded definitions), into row `row`
 * of their columns (NaN where undefined).
 */
function riskFiguresInto(curve: EquityCurve, initialCapital: number, periodsPerYear: number, out: SummaryColumns, row: number): void {
  const barCount = curve.length;
  const equity = curve.equity;
  out.sharpe[row] = NaN;
  out.sortino[row] = NaN;
  out.cagr[row] = NaN;
  if (barCount === 0) return;
  let previous = initialCapital;
  let returnSum = 0;
  // per-bar returns, the first one against the initial capital; a non-positive equity leaves them undefined
  for (let t = 0; t < barCount; t++) {
    const current = equity[t];
    if (!(current > 0)) return;
    returnSum += current / previous - 1;
    previous = current;
  }
  const meanReturn = returnSum / barCount;
  let squaredDeviationSum = 0;
  let downsideSquareSum = 0;
  previous = initialCapital;
  // spread around the mean, and the downside (negative returns only) for Sortino
  for (let t = 0; t < barCount; t++) {
    const barReturn = equity[t] / previous - 1;
    previous = equity[t];
    squaredDeviationSum += (barReturn - meanReturn) * (barReturn - meanReturn);
    if (barReturn < 0) downsideSquareSum += barReturn * barReturn;
  }
  // geometric mean growth per bar, g = (final / initial)^(1 / bars), and the annual return g^N - 1
  const logGrowthPerBar = Math.log(equity[barCount - 1] / initialCapital) / barCount;
  const annualReturn = Math.expm1(periodsPerYear * logGrowthPerBar);
  // backtesting.py's compounded volatility sqrt((var + g^2)^N - g^(2N)), computed in logs as
  // g^N * (1 + var/g^2)^(N/2) * sqrt(1 - (1 + var/g^2)^-N) so that it neither overflows nor cancels early
  const variance = barCount > 1 ? squaredDeviationSum / (barCount - 1) : NaN;
  const spreadGrowth = periodsPerYear * Math.log1p(variance * Math.exp(-2 * logGrowthPerBar));
  const annualVolatility = Math.exp(periodsPerYear * logGrowthPerBar + spreadGrowth / 2) * Math.sqrt(-Math.expm1(-spreadGrowth));
  const downsideDeviation = Math.sqrt(downsideSquareSum / barCount) * Math.sqrt(periodsPerYear);
  out.sharpe[row] = annualVolatility > 0 ? finiteOrNaN(annualReturn / annualVolatility) : NaN;
  out.sortino[row] = downsideDeviation > 0 ? finiteOrNaN(annualReturn / downsideDeviation) : NaN;
  out.cagr[row] = finiteOrNaN(annualReturn * 100);
}

/** The summary of one run (allocates it); `summarizeInto` writes it into columns instead. */
export function summarize(
  candles: Candles,
  trades: Trades,
  curve: EquityCurve,
  initialCapital: number,
  periodsPerYear: number,
): SymbolSummary {
  const columns = allocateSummaryColumns(1);
  summarizeInto(candles, trades, curve, initialCapital, periodsPerYear, columns, 0);
  return summaryOfRow(columns, 0);
}

/** The summary of one run into row `row` of `out` (null figures as NaN, see `SummaryColumns`); allocates nothing. */
export function summarizeInto(
  candles: Candles,
  trades: Trades,
  curve: EquityCurve,
  initialCapital: number,
  periodsPerYear: number,
  out: SummaryColumns,
  row: number,
): void {
  const barCount = curve.length;
  const { entryIndex, exitIndex, returnPct, holdBars } = trades;
  let closedCount = 0;
  let winningCount = 0;
  let returnSum = 0;
  let maxReturn = -Infinity;
  let minReturn = Infinity;
  let holdSum = 0;
  let grossGain = 0;
  let grossLoss = 0;
  let exposedBars = 0;
  let previousExit = -1;
  // closed-trade statistics, and the bars spent in a position (entry to exit bar inclusive)
  for (let k = 0; k < trades.count; k++) {
    const lastHeldBar = exitIndex[k] >= 0 ? exitIndex[k] : barCount - 1;
    exposedBars += lastHeldBar - entryIndex[k] + (entryIndex[k] === previousExit ? 0 : 1);
    previousExit = exitIndex[k];
    if (exitIndex[k] < 0) continue;
    const tradeReturn = returnPct[k];
    closedCount++;
    returnSum += tradeReturn;
    if (tradeReturn > maxReturn) maxReturn = tradeReturn;
    if (tradeReturn < minReturn) minReturn = tradeReturn;
    holdSum += holdBars[k];
    if (tradeReturn > 0) {
      winningCount++;
      grossGain += tradeReturn;
    } else if (tradeReturn < 0) {
      grossLoss -= tradeReturn;
    }
  }
  let maxDrawdown = 0;
  // deepest drawdown of the curve
  for (let t = 0; t < barCount; t++) if (curve.drawdown[t] > maxDrawdown) maxDrawdown = curve.drawdown[t];

  const hasClosed = closedCount > 0;
  const averageReturn = hasClosed ? returnSum / closedCount : 0;
  riskFiguresInto(curve, initialCapital, periodsPerYear, out, row);
  const firstClose = candles.close[0];
  out.win_rate[row] = hasClosed ? (winningCount / closedCount) * 100 : 0;
  out.avg_return[row] = averageReturn;
  out.max_return[row] = hasClosed ? maxReturn : 0;
  out.min_return[row] = hasClosed ? minReturn : 0;
  out.max_drawdown[row] = maxDrawdown;
  out.avg_hold_bars[row] = hasClosed ? holdSum / closedCount : 0;
  out.total_signals[row] = trades.count;
  out.winning_signals[row] = winningCount;
  out.losing_signals[row] = closedCount - winningCount;
  out.total_pnl[row] = barCount > 0 ? curve.cumulativePnl[barCount - 1] : 0;
  out.total_pnl_pct[row] = barCount > 0 ? curve.cumulativePnlPct[barCount - 1] : 0;
  out.profit_factor[row] = grossLoss > 0 ? finiteOrNaN(grossGain / grossLoss) : NaN;
  out.expectancy[row] = hasClosed ? averageReturn : NaN;
  out.exposure_pct[row] = barCount > 0 ? (exposedBars / barCount) * 100 : NaN;
  out.buy_and_hold_return_pct[row] = barCount > 0 ? ((candles.close[barCount - 1] - firstClose) / firstClose) * 100 : NaN;
}
