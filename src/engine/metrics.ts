import type { Candles, EquityCurve, SymbolSummary, Trades } from './types';

/**
 * Per-symbol summary figures. Every formula is written out in docs/metrics.md; bump METRICS_VERSION
 * whenever one of them changes, so stored results say which definitions produced them.
 */
export const METRICS_VERSION = '1.1.0';

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

interface RiskFigures {
  sharpe: number | null;
  sortino: number | null;
  cagr: number | null;
}

/** Sharpe, Sortino and CAGR from the per-bar equity returns (backtesting.py's compounded definitions). */
function riskFigures(curve: EquityCurve, initialCapital: number, periodsPerYear: number): RiskFigures {
  const barCount = curve.length;
  const equity = curve.equity;
  const none: RiskFigures = { sharpe: null, sortino: null, cagr: null };
  if (barCount === 0) return none;
  let previous = initialCapital;
  let returnSum = 0;
  // per-bar returns, the first one against the initial capital; a non-positive equity leaves them undefined
  for (let t = 0; t < barCount; t++) {
    const current = equity[t];
    if (!(current > 0)) return none;
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
  return {
    sharpe: annualVolatility > 0 ? finiteOrNull(annualReturn / annualVolatility) : null,
    sortino: downsideDeviation > 0 ? finiteOrNull(annualReturn / downsideDeviation) : null,
    cagr: finiteOrNull(annualReturn * 100),
  };
}

export function summarize(
  candles: Candles,
  trades: Trades,
  curve: EquityCurve,
  initialCapital: number,
  periodsPerYear: number,
): SymbolSummary {
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
  const { sharpe, sortino, cagr } = riskFigures(curve, initialCapital, periodsPerYear);
  const firstClose = candles.close[0];
  return {
    win_rate: hasClosed ? (winningCount / closedCount) * 100 : 0,
    avg_return: averageReturn,
    max_return: hasClosed ? maxReturn : 0,
    min_return: hasClosed ? minReturn : 0,
    max_drawdown: maxDrawdown,
    avg_hold_bars: hasClosed ? holdSum / closedCount : 0,
    total_signals: trades.count,
    winning_signals: winningCount,
    losing_signals: closedCount - winningCount,
    total_pnl: barCount > 0 ? curve.cumulativePnl[barCount - 1] : 0,
    total_pnl_pct: barCount > 0 ? curve.cumulativePnlPct[barCount - 1] : 0,
    sharpe,
    sortino,
    profit_factor: grossLoss > 0 ? finiteOrNull(grossGain / grossLoss) : null,
    expectancy: hasClosed ? averageReturn : null,
    exposure_pct: barCount > 0 ? (exposedBars / barCount) * 100 : null,
    cagr,
    buy_and_hold_return_pct: barCount > 0 ? ((candles.close[barCount - 1] - firstClose) / firstClose) * 100 : null,
  };
}
