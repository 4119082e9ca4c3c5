/**
 * What the price chart draws, apart from the drawing: the candles, the trades' entry and exit markers, the window
 * around a selected trade, and its stop levels, computed with the engine's own rules (src/engine/exitLevels.ts) from
 * the trade's entry fill and the task's parameters, so the chart shows the levels the simulator tested.
 */
import type { SeriesMarker, UTCTimestamp } from 'lightweight-charts';
import { exitLevelFactors, trailingStopLevelsInto } from '../../src/engine/exitLevels';
import { periodsPerYear, type Timeframe } from '../../src/engine/timeframes';
import type { CandlesResponse } from '../../src/contracts/api';
import type { TradeRow } from './types';

export type ChartCandle = CandlesResponse['candles'][number];
export type ChartTime = UTCTimestamp;

export const chartTime = (iso: string) => (Date.parse(iso) / 1000) as ChartTime;

/** Milliseconds of one bar of the timeframe (24/7 markets). */
export const barMilliseconds = (timeframe: string) => (365 * 86_400_000) / periodsPerYear(timeframe as Timeframe);

/** A trade's key, as the trade table keys its rows. */
export const tradeKey = (trade: Pick<TradeRow, 'symbol' | 'signal_index'>) => `${trade.symbol}:${trade.signal_index}`;

/** The bars to load around a trade: as much again before and after it as it lasts, at least 40 bars either side. */
export function tradeWindow(trade: TradeRow, timeframe: string): { from: string; to?: string } {
  const entry = Date.parse(trade.timestamp);
  const exit = trade.exit_timestamp === null ? undefined : Date.parse(trade.exit_timestamp);
  const padding = Math.max(40 * barMilliseconds(timeframe), ((exit ?? entry) - entry) / 2);
  return {
    from: new Date(entry - padding).toISOString(),
    ...(exit === undefined ? {} : { to: new Date(exit + padding).toISOString() }),
  };
}

/** The candle a time falls in: the last one that starts at or before it (candles may merge several bars). */
function candleIndexAt(times: ChartTime[], time: ChartTime): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle] <= time) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

const REASON_LABELS: Record<string, string> = {
  signal: 'exit signal',
  hold: 'hold period',
  stop_loss: 'stop-loss',
  take_profit: 'take-profit',
  trailing_stop: 'trailing stop',
  max_hold: 'max hold',
  end_of_data: 'open',
};

export const exitReasonLabel = (reason: string) => REASON_LABELS[reason] ?? reason;

const GAIN = '#2e7d32';
const LOSS = '#c62828';
const NEUTRAL = '#455a64';

/**
 * Entry and exit markers of the trades inside the candles' span, each on the candle its bar belongs to: an entry
 * below the bar for a buy (above for a sell), the exit on the other side, coloured by the trade's return and
 * labelled with its exit reason. Labels on every marker only when few trades are in view; the selected trade's
 * markers are larger and always labelled.
 */
export function tradeMarkers(
  candles: ChartCandle[],
  barsPerCandle: number,
  timeframe: string,
  trades: TradeRow[],
  selectedKey: string | null,
) {
  if (candles.length === 0) return [];
  const times = candles.map((candle) => chartTime(candle.timestamp));
  const spanEnd = times[times.length - 1] + (barsPerCandle * barMilliseconds(timeframe)) / 1000;
  const inView = (time: ChartTime) => time >= times[0] && time < spanEnd;
  const visible = trades.filter(
    (trade) => inView(chartTime(trade.timestamp)) || (trade.exit_timestamp !== null && inView(chartTime(trade.exit_timestamp))),
  );
  const labelAll = visible.length <= 60;
  const markers: SeriesMarker<ChartTime>[] = [];
  for (const trade of visible) {
    const selected = tradeKey(trade) === selectedKey;
    const buy = trade.type === 'buy';
    const label = labelAll || selected;
    const entryTime = chartTime(trade.timestamp);
    if (inView(entryTime)) {
      markers.push({
        time: times[candleIndexAt(times, entryTime)],
        position: buy ? 'belowBar' : 'aboveBar',
        shape: buy ? 'arrowUp' : 'arrowDown',
        color: buy ? GAIN : LOSS,
        size: selected ? 2 : 1,
        text: label ? `${trade.type} #${trade.signal_index}` : '',
        id: `entry:${tradeKey(trade)}`,
      });
    }
    if (trade.exit_timestamp === null) continue;
    const exitTime = chartTime(trade.exit_timestamp);
    if (!inView(exitTime)) continue;
    markers.push({
      time: times[candleIndexAt(times, exitTime)],
      position: buy ? 'aboveBar' : 'belowBar',
      shape: buy ? 'arrowDown' : 'arrowUp',
      color: trade.return_pct > 0 ? GAIN : trade.return_pct < 0 ? LOSS : NEUTRAL,
      size: selected ? 2 : 1,
      text: label ? exitReasonLabel(trade.exit_reason) : '',
      id: `exit:${tradeKey(trade)}`,
    });
  }
  return markers.sort((a, b) => a.time - b.time);
}

/** A horizontal or stepped line of the selected trade, as points on candle times. */
export interface LevelLine {
  name: 'entry' | 'stop-loss' | 'take-profit' | 'trailing stop';
  color: string;
  points: { time: ChartTime; value: number }[];
  /** The level in words for the legend, e.g. `95,000 (5 % below the entry)`. */
  value?: number;
}

export interface TradeLevels {
  lines: LevelLine[];
  /** What the legend says about the levels that are not drawn (and why), or about the trailing stop. */
  notes: string[];
}

type ExitParams = Parameters<typeof exitLevelFactors>[0];

/**
 * The selected trade's entry price, stop-loss and take-profit (fixed levels from the entry fill) from its entry to
 * its exit (or the last candle while open), and its trailing stop bar by bar when every bar of the trade is a candle
 * of its own: on merged candles the best price before each bar is unknown, so it is not drawn.
 */
export function tradeLevels(candles: ChartCandle[], barsPerCandle: number, trade: TradeRow, params: Record<string, unknown>): TradeLevels {
  const times = candles.map((candle) => chartTime(candle.timestamp));
  const entryIndex = candleIndexAt(times, chartTime(trade.timestamp));
  if (entryIndex < 0) return { lines: [], notes: ['the trade is outside the candles shown'] };
  const lastIndex = trade.exit_timestamp === null ? times.length - 1 : candleIndexAt(times, chartTime(trade.exit_timestamp));
  const span = (value: number) => [...new Set([times[entryIndex], times[lastIndex]])].map((time) => ({ time, value }));
  const exitParams: ExitParams = { ...(params as ExitParams), direction: trade.type === 'sell' ? 'short' : 'long' };
  const factors = exitLevelFactors(exitParams);
  const lines: LevelLine[] = [{ name: 'entry', color: NEUTRAL, points: span(trade.entry_price), value: trade.entry_price }];
  const notes: string[] = [];
  const fixed = [
    ['stop-loss', factors.stopLoss, LOSS, 'stop_loss_pct'],
    ['take-profit', factors.takeProfit, GAIN, 'take_profit_pct'],
  ] as const;
  for (const [name, factor, color, param] of fixed) {
    if (factor === null) notes.push(`no ${name} (${param} is off)`);
    else lines.push({ name, color, points: span(trade.entry_price * factor), value: trade.entry_price * factor });
  }
  if (factors.trailingStop === null) return { lines, notes };
  if (barsPerCandle !== 1 || chartTime(candles[entryIndex].timestamp) !== chartTime(trade.timestamp)) {
    notes.push('trailing stop not drawn: it needs every bar of the trade as a candle of its own');
    return { lines, notes };
  }
  const high = Float64Array.from(candles, (candle) => candle.high);
  const low = Float64Array.from(candles, (candle) => candle.low);
  const levels = new Float64Array(candles.length);
  trailingStopLevelsInto(high, low, exitParams.direction!, entryIndex, lastIndex, trade.entry_price, factors.trailingStop, levels);
  const points = [];
  for (let bar = entryIndex + 1; bar <= lastIndex; bar++) points.push({ time: times[bar], value: levels[bar] });
  if (points.length > 0) lines.push({ name: 'trailing stop', color: '#ef6c00', points });
  return { lines, notes };
}
