/**
 * Typed arrays in SharedArrayBuffers, so candles and sweep rows cross to the evaluation threads and back
 * without a copy: a thread reads and writes the very memory the activity's thread holds.
 */
import { candleColumnNames } from '../engine/candles';
import { summaryMetrics, type Candles, type SummaryColumns } from '../engine/types';
import type { SweepRows } from '../engine/sweep';

function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, length) * Float64Array.BYTES_PER_ELEMENT), 0, length);
}

/** The candles copied once into shared memory (what a worker caches for the threads). */
export function toSharedCandles(candles: Candles): Candles {
  const shared = { length: candles.length } as Candles;
  for (const name of candleColumnNames) {
    shared[name] = sharedFloat64(candles.length);
    shared[name].set(candles[name].subarray(0, candles.length));
  }
  return shared;
}

/** Sweep rows whose columns live in shared memory: a thread fills them, the activity reads them as they come. */
export function allocateSharedSweepRows(capacity: number): SweepRows {
  const metrics = {} as SummaryColumns;
  for (const metric of summaryMetrics) metrics[metric] = sharedFloat64(capacity);
  return { capacity, comboId: sharedFloat64(capacity), metrics };
}

/** Slots of an evaluation's control block: the thread publishes its progress, the activity asks it to stop. */
export const NEXT_INDEX = 0;
export const STOP_REQUESTED = 1;

export function allocateControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}
