import { checkSegment, type Segment } from '../backtest';
import { sliceCandles } from '../candles';
import { allocateSummaryColumns, summarizeInto } from '../metrics';
import { allocateSimulation, simulateInto } from '../simulator';
import type { Candles, ExecutionParams, SummaryColumns } from '../types';
import { checkComboId, comboParamsInto, comboValueIndicesInto } from './grid';
import type { SweepPlan } from './plan';

/**
 * Results of a sweep, column by column: row r is one combination's summary on one series (segment).
 * `metrics` follows `SummaryColumns`: one Float64Array per metric of `SymbolSummary`, a null stored as NaN.
 */
export interface SweepRows {
  /** Rows the columns have room for. */
  readonly capacity: number;
  /** The combo id of each row (whole numbers; doubles so that ids of grids beyond 2^31 combinations fit). */
  readonly comboId: Float64Array;
  readonly metrics: SummaryColumns;
}

export function allocateSweepRows(capacity: number): SweepRows {
  return { capacity, comboId: new Float64Array(capacity), metrics: allocateSummaryColumns(capacity) };
}

export interface EvaluateOptions {
  /**
   * The bars evaluated (see `Segment`): each row is the backtest of [start, end), signals computed on
   * [warmupStart, end). Default: the whole series, every row equal in every metric to `runBacktest` for its combination.
   */
  segment?: Segment;
  /** Index into `comboIds` to start at (a resumed chunk): rows [resumeAt, returned index) are written. Default 0. */
  resumeAt?: number;
  /** Rows between two `onProgress` calls; default 256. */
  progressEvery?: number;
  /**
   * Called with the index into `comboIds` of the next row to evaluate (every row before it is written): after every
   * `progressEvery` rows, and after each distinct signal set computed (which can take longer than many rows).
   * Returning `false` stops the evaluation there; `evaluateSweep` then returns that index, and a later call with
   * `resumeAt` set to it continues exactly where this one stopped. Never called after the last row.
   */
  onProgress?: (nextIndex: number) => boolean | void;
  /**
   * Bytes for the signals kept at once (one byte per bar, twice with exit signals). Combinations are evaluated in
   * windows of rows whose distinct signal sets fit; default 64 MiB (7,600 signal sets of 8,760 bars).
   */
  signalMemoryBytes?: number;
}

const DEFAULT_PROGRESS_EVERY = 256;
const DEFAULT_SIGNAL_MEMORY_BYTES = 64 * 1024 * 1024;

/**
 * Evaluates the combinations `comboIds[resumeAt..]` of a planned sweep on one candle series: row i of `rows` gets
 * `comboIds[i]` and its summary. Returns the index after the last row written (`comboIds.length` unless `onProgress`
 * stopped it).
 *
 * Work is shared where the result cannot change: rows are taken in windows (in the order given); the distinct signal
 * parameter sets of a window are computed once each (combinations differing only in hold_period_bars or execution
 * parameters share them), grouped by the strategy's `sharedSignals` preparation when it has one (one preparation per
 * group, if the strategy finds it worth it for the group's size), then every row of the window is simulated in
 * order, into trade, curve and summary buffers allocated once per call. Every row equals, bit for bit in every
 * metric, `runSegmentBacktest` (with the default segment: `runBacktest`) of its combination.
 */
export function evaluateSweep(
  plan: SweepPlan,
  candles: Candles,
  comboIds: ArrayLike<number>,
  rows: SweepRows,
  options: EvaluateOptions = {},
): number {
  const rowCount = comboIds.length;
  const segment = options.segment ?? { warmupStart: 0, start: 0, end: candles.length };
  const resumeAt = options.resumeAt ?? 0;
  const progressEvery = options.progressEvery ?? DEFAULT_PROGRESS_EVERY;
  const signalMemoryBytes = options.signalMemoryBytes ?? DEFAULT_SIGNAL_MEMORY_BYTES;
  const onProgress = options.onProgress;
  checkSegment(segment, candles.length);
  if (rows.capacity < rowCount) throw new RangeError(`rows: room for ${rows.capacity}, expected at least ${rowCount} (one per combo id)`);
  if (!Number.isInteger(resumeAt) || resumeAt < 0 || resumeAt > rowCount) {
    throw new RangeError(`resumeAt: got ${resumeAt}, expected an integer in [0, ${rowCount}]`);
  }
  if (!Number.isInteger(progressEvery) || progressEvery < 1)
    throw new RangeError(`progressEvery: got ${progressEvery}, expected an integer >= 1`);
  if (!(signalMemoryBytes >= 0)) throw new RangeError(`signalMemoryBytes: got ${signalMemoryBytes}, expected a number >= 0`);
  for (let r = resumeAt; r < rowCount; r++) checkComboId(plan.layout, comboIds[r]);

  const { strategy, layout, periodsPerYear, signalWeights, sharedWeights } = plan;
  const hasExits = strategy.exitsInto !== undefined;
  const signalCandles = sliceCandles(candles, segment.warmupStart, segment.end);
  const simulatedCandles = sliceCandles(candles, segment.start, segment.end);
  const signalBars = signalCandles.length;
  const warmupBars = segment.start - segment.warmupStart;
  const slotBytes = Math.max(1, signalBars * (hasExits ? 2 : 1));
  // at least one signal set, however small the budget; no more than there are rows
  const slotCapacity = Math.max(1, Math.min(rowCount - resumeAt, Math.floor(signalMemoryBytes / slotBytes)));
  const slots = allocateSignalSlots(slotCapacity, signalBars, warmupBars, hasExits);
  const simulation = allocateSimulation(simulatedCandles.length);
  const valueIndices = new Int32Array(layout.names.length);
  const rowSlot = new Int32Array(rowCount - resumeAt);
  const slotCombo = new Float64Array(slotCapacity);
  const slotOfSignalKey = new Map<number, number>();
  // the parameters of the row being simulated: the fixed ones, the swept ones overwritten row by row
  const rowParams: Record<string, unknown> = { ...plan.fixedParams };
  const execution = rowParams as unknown as ExecutionParams & { hold_period_bars: number };

  let next = resumeAt;
  // each window: the rows from `next` whose distinct signal sets fit the slots, their signals, then the rows in order
  while (next < rowCount) {
    slotOfSignalKey.clear();
    let windowEnd = next;
    for (; windowEnd < rowCount; windowEnd++) {
      const signalKey = weightedKey(layout, comboIds[windowEnd], signalWeights, valueIndices);
      let slot = slotOfSignalKey.get(signalKey);
      if (slot === undefined) {
        if (slotOfSignalKey.size === slotCapacity) break;
        slot = slotOfSignalKey.size;
        slotOfSignalKey.set(signalKey, slot);
        slotCombo[slot] = comboIds[windowEnd];
      }
      rowSlot[windowEnd - resumeAt] = slot;
    }
    if (!computeSignals(plan, signalCandles, slots, slotCombo, slotOfSignalKey.size, sharedWeights, valueIndices, next, onProgress)) {
      return next;
    }
    for (let r = next; r < windowEnd; r++) {
      const slot = rowSlot[r - resumeAt];
      comboParamsInto(layout, comboIds[r], rowParams);
      simulateInto(
        simulatedCandles,
        slots.simulatedEntries[slot],
        execution.hold_period_bars,
        execution,
        hasExits ? slots.simulatedExits[slot] : null,
        simulation,
      );
      summarizeInto(simulatedCandles, simulation.trades, simulation.curve, execution.initial_capital, periodsPerYear, rows.metrics, r);
      rows.comboId[r] = comboIds[r];
      if (onProgress !== undefined && r + 1 < rowCount && (r + 1 - resumeAt) % progressEvery === 0 && onProgress(r + 1) === false) {
        return r + 1;
      }
    }
    next = windowEnd;
  }
  return rowCount;
}

/** Entry and exit signals of the slots: whole (for the strategy) and from the segment's first bar (for the simulation). */
interface SignalSlots {
  entries: Uint8Array[];
  exits: Uint8Array[];
  simulatedEntries: Uint8Array[];
  simulatedExits: Uint8Array[];
}

function allocateSignalSlots(slotCount: number, signalBars: number, warmupBars: number, hasExits: boolean): SignalSlots {
  const slots: SignalSlots = { entries: [], exits: [], simulatedEntries: [], simulatedExits: [] };
  const entryMemory = new Uint8Array(slotCount * signalBars);
  const exitMemory = new Uint8Array(hasExits ? slotCount * signalBars : 0);
  for (let slot = 0; slot < slotCount; slot++) {
    const from = slot * signalBars;
    slots.entries.push(entryMemory.subarray(from, from + signalBars));
    slots.simulatedEntries.push(entryMemory.subarray(from + warmupBars, from + signalBars));
    if (!hasExits) continue;
    slots.exits.push(exitMemory.subarray(from, from + signalBars));
    slots.simulatedExits.push(exitMemory.subarray(from + warmupBars, from + signalBars));
  }
  return slots;
}

/** The key of a combination under mixed-radix `weights` (see `SweepPlan.signalWeights`). */
function weightedKey(layout: SweepPlan['layout'], comboId: number, weights: Float64Array, valueIndices: Int32Array): number {
  comboValueIndicesInto(layout, comboId, valueIndices);
  let key = 0;
  for (let p = 0; p < valueIndices.length; p++) key += valueIndices[p] * weights[p];
  return key;
}

/**
 * Fills the first `slotCount` slots with the signals of their combinations (`slotCombo`), one shared preparation per
 * group of slots with the same shared key. Returns false if `onProgress` asked to stop.
 */
function computeSignals(
  plan: SweepPlan,
  candles: Candles,
  slots: SignalSlots,
  slotCombo: Float64Array,
  slotCount: number,
  sharedWeights: Float64Array,
  valueIndices: Int32Array,
  nextIndex: number,
  onProgress: EvaluateOptions['onProgress'],
): boolean {
  const { strategy, layout } = plan;
  const sharing = strategy.sharedSignals;
  // slots by shared key, in order of their first slot
  const groups = new Map<number, number[]>();
  for (let slot = 0; slot < slotCount; slot++) {
    const sharedKey = sharing === undefined ? slot : weightedKey(layout, slotCombo[slot], sharedWeights, valueIndices);
    const group = groups.get(sharedKey);
    if (group === undefined) groups.set(sharedKey, [slot]);
    else group.push(slot);
  }
  for (const group of groups.values()) {
    const prepared = sharing === undefined ? null : sharing.prepare(candles, paramsOfCombo(plan, slotCombo[group[0]]), group.length);
    for (const slot of group) {
      const params = paramsOfCombo(plan, slotCombo[slot]);
      // a slot is reused window after window: clear it, as runBacktest hands a strategy zeroed arrays
      slots.entries[slot].fill(0);
      if (strategy.exitsInto !== undefined) slots.exits[slot].fill(0);
      if (prepared !== null && sharing !== undefined) sharing.signalsInto(prepared, candles, params, slots.entries[slot]);
      else strategy.signalsInto(candles, params, slots.entries[slot]);
      if (strategy.exitsInto !== undefined) {
        if (prepared !== null && sharing?.exitsInto !== undefined) sharing.exitsInto(prepared, candles, params, slots.exits[slot]);
        else strategy.exitsInto(candles, params, slots.exits[slot]);
      }
      if (onProgress !== undefined && onProgress(nextIndex) === false) return false;
    }
  }
  return true;
}

/** The whole parameter object of a combination: the fixed parameters with its swept values. */
function paramsOfCombo(plan: SweepPlan, comboId: number): Record<string, unknown> {
  const params: Record<string, unknown> = { ...plan.fixedParams };
  comboParamsInto(plan.layout, comboId, params);
  return params;
}
