/**
 * Walk-forward's stitched out-of-sample curve (DESIGN.md section 12): the segments one after another, each
 * starting with the equity the previous one ended with (the caller runs them so), as one series of bars with
 * one list of trades; the drawdown and PnL are recomputed over the whole, and the summary is that of the whole.
 */
import { concatCandles } from '../candles';
import { summarize } from '../metrics';
import type { Candles, EquityCurve, SimulatedTrades, SymbolSummary } from '../types';

export interface StitchedSegment {
  /** The segment's own bars (what its curve covers). */
  candles: Candles;
  trades: SimulatedTrades;
  curve: EquityCurve;
}

export interface Stitched {
  candles: Candles;
  trades: SimulatedTrades;
  curve: EquityCurve;
  summary: SymbolSummary;
}

const TRADE_COLUMNS = [
  'entryIndex',
  'exitIndex',
  'entryPrice',
  'exitPrice',
  'quantity',
  'returnPct',
  'holdBars',
  'feeAmount',
  'slippageAmount',
  'exitReason',
] as const;

export function stitchSegments(segments: readonly StitchedSegment[], initialCapital: number, periodsPerYear: number): Stitched {
  const candles = concatCandles(segments.map((segment) => segment.candles));
  const barCount = candles.length;
  const tradeCount = segments.reduce((sum, segment) => sum + segment.trades.count, 0);
  const first = segments[0].trades;
  const trades = { count: tradeCount, direction: first.direction } as SimulatedTrades;
  for (const column of TRADE_COLUMNS) {
    const Type = first[column].constructor as Float64ArrayConstructor;
    (trades as unknown as Record<string, ArrayLike<number>>)[column] = new Type(tradeCount);
  }
  const curve: EquityCurve = {
    length: barCount,
    equity: new Float64Array(barCount),
    drawdown: new Float64Array(barCount),
    cumulativePnl: new Float64Array(barCount),
    cumulativePnlPct: new Float64Array(barCount),
  };
  let barOffset = 0;
  let tradeOffset = 0;
  // each segment: its trades with bar numbers moved by the bars before it (an open trade's -1 exit stays), its equity
  for (const segment of segments) {
    const { count } = segment.trades;
    for (const column of TRADE_COLUMNS)
      (trades[column] as Float64Array).set((segment.trades[column] as Float64Array).subarray(0, count), tradeOffset);
    for (let k = tradeOffset; k < tradeOffset + count; k++) {
      trades.entryIndex[k] += barOffset;
      if (trades.exitIndex[k] >= 0) trades.exitIndex[k] += barOffset;
    }
    curve.equity.set(segment.curve.equity.subarray(0, segment.curve.length), barOffset);
    barOffset += segment.curve.length;
    tradeOffset += count;
  }
  let peak = initialCapital;
  // drawdown and PnL over the stitched equity, from the first segment's starting capital
  for (let t = 0; t < barCount; t++) {
    const equity = curve.equity[t];
    if (equity > peak) peak = equity;
    curve.drawdown[t] = ((peak - equity) / peak) * 100;
    curve.cumulativePnl[t] = equity - initialCapital;
    curve.cumulativePnlPct[t] = ((equity - initialCapital) / initialCapital) * 100;
  }
  return { candles, trades, curve, summary: summarize(candles, trades, curve, initialCapital, periodsPerYear) };
}
