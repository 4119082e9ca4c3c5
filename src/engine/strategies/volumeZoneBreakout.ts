import { z } from 'zod';
import { defineStrategy, holdPeriodBarsSchema } from '../strategy';
import type { Candles } from '../types';

/**
 * volume_zone_breakout (DESIGN.md section 5): a volume profile of the previous `volume_window` bars
 * marks the price zone holding the top `top_percentile` of the volume; a bar whose high clears the
 * lower edge of that zone by `breakout_buffer` is a signal.
 *
 * Definitions pinned down beyond DESIGN.md (the test's brute-force reference follows them too):
 * - bin edges as numpy.linspace makes them: `min + k * ((max - min) / num_bins)`, the top edge exactly `max`;
 * - a bar's share of bin k is `volume * overlap / span` (in that order), summed over window bars in
 *   bar order; a zero-height bar goes whole to the highest bin whose lower edge is <= its price;
 * - the total is the same top-down sum the percentile search runs, so top_percentile 1 always stops.
 *
 * Algorithm. The reference builds the histogram: O(window x bins) per bar. Here no histogram is built.
 * With R = the lower edge of the bin the search stops at, `signal <=> high >= R * (1 + buffer)`; edges
 * rise with k, so with K = the highest bin whose edge passes that test, the signal holds exactly when the
 * search has not stopped above K: when the volume above E = edge(K + 1) is below `top_percentile * total`.
 * That volume needs no bins: each bar gives the part of its span above E. It is bounded first with fixed
 * blocks of ~sqrt(window) bars (min, max and volume precomputed): a block wholly above E counts whole,
 * one wholly below not at all, and only straddling blocks are read bar by bar, with a branch-free clamp,
 * until the bounds decide. Those bounds then follow the window in O(1) per bar (add the bar that entered,
 * remove the one that left) and decide the next bars while they can: the volume above E only falls as E
 * rises, so a lower bound still holds for a lower E and an upper bound for a higher one. Window min and max cost O(1)
 * (van Herk / Gil-Werman); K costs O(1). Per bar that is O(window / block + bars straddling E), and no
 * work at all for a high below every edge or above the top bin's edge. Bars are processed in chunks
 * whose scratch data stays in cache. The sums run in another order than the histogram's, so when they land
 * within a rounding bound of the target (an exact tie on structured data, essentially never on market
 * data) the bar is decided by the histogram itself: signals equal the reference bit for bit.
 */
const paramsSchema = z.object({
  volume_window: z
    .number()
    .int()
    .min(2)
    .max(10_000)
    .default(60)
    .describe('Bars before the current one whose volume profile is built (the current bar is excluded).'),
  top_percentile: z
    .number()
    .gt(0)
    .max(1)
    .default(0.2)
    .describe('Share of the window volume, counted from the top price bin down, that defines the resistance zone.'),
  breakout_buffer: z.number().min(0).max(1).default(0.01).describe('The bar high must reach resistance * (1 + breakout_buffer) to signal.'),
  hold_period_bars: holdPeriodBarsSchema,
  num_bins: z.number().int().min(1).max(1000).default(20).describe('Equal-width price bins of the volume profile.'),
  include_wicks: z.boolean().default(true).describe('Spread volume over low..high (true) or over the candle body only (false).'),
});

export type VolumeZoneBreakoutParams = z.output<typeof paramsSchema>;

/** Edge k of `binCount` bins of `binWidth` from rangeLow, as numpy.linspace computes them: the top edge is rangeHigh exactly. */
function binEdge(rangeLow: number, rangeHigh: number, binWidth: number, binCount: number, k: number): number {
  return k === binCount ? rangeHigh : rangeLow + k * binWidth;
}

/**
 * Highest bin k in [0, binCount) with `edge(k) * factor <= price`; the caller guarantees k = 0 passes.
 * With factor 1 it is the bin that holds `price` (the last bin for the top edge).
 */
function highestBinAtOrBelow(
  rangeLow: number,
  rangeHigh: number,
  binWidth: number,
  binCount: number,
  factor: number,
  price: number,
): number {
  let bin = Math.floor((price / factor - rangeLow) / binWidth);
  if (bin > binCount - 1) bin = binCount - 1;
  if (bin < 0) bin = 0;
  // the guess can be off by one either way after rounding: settle it against the edges themselves
  while (bin > 0 && binEdge(rangeLow, rangeHigh, binWidth, binCount, bin) * factor > price) bin--;
  while (bin < binCount - 1 && binEdge(rangeLow, rangeHigh, binWidth, binCount, bin + 1) * factor <= price) bin++;
  return bin;
}

/** The literal histogram decision for one bar, where the fast pass cannot vouch for its rounding (near-ties, tiny volumes). */
function breaksOutByHistogram(
  spanLow: Float64Array,
  spanHigh: Float64Array,
  volume: Float64Array,
  windowStart: number,
  windowEnd: number,
  rangeLow: number,
  rangeHigh: number,
  topShare: number,
  breakoutFactor: number,
  barHigh: number,
  bins: Float64Array,
): boolean {
  const binCount = bins.length;
  const binWidth = (rangeHigh - rangeLow) / binCount;
  bins.fill(0);
  // spread each window bar's volume over the bins its span touches, in bar order
  for (let j = windowStart; j < windowEnd; j++) {
    const bottom = spanLow[j];
    const top = spanHigh[j];
    const barVolume = volume[j];
    const firstBin = highestBinAtOrBelow(rangeLow, rangeHigh, binWidth, binCount, 1, bottom);
    if (top > bottom) {
      const lastBin = highestBinAtOrBelow(rangeLow, rangeHigh, binWidth, binCount, 1, top);
      for (let k = firstBin; k <= lastBin; k++) {
        const overlap =
          Math.min(top, binEdge(rangeLow, rangeHigh, binWidth, binCount, k + 1)) -
          Math.max(bottom, binEdge(rangeLow, rangeHigh, binWidth, binCount, k));
        if (overlap > 0) bins[k] += (barVolume * overlap) / (top - bottom);
      }
    } else {
      bins[firstBin] += barVolume;
    }
  }
  let total = 0;
  // total, summed top-down like the search below
  for (let k = binCount - 1; k >= 0; k--) total += bins[k];
  if (total === 0) return false;
  const target = topShare * total;
  let running = 0;
  let bin = binCount - 1;
  // walk down from the top bin until the running volume reaches the target share
  for (; bin > 0; bin--) {
    running += bins[bin];
    if (running >= target) break;
  }
  return barHigh >= binEdge(rangeLow, rangeHigh, binWidth, binCount, bin) * breakoutFactor;
}

/**
 * Volumes below this (but above 0) can underflow in the histogram, where the error bounds of the fast
 * pass assume none: windows holding such a bar are decided by the histogram itself.
 */
const TINY_VOLUME = 1e-150;

/** Stride of the per-bar factors: span top, zero-height lift, volume per half unit of height, volume. */
const FACTOR_STRIDE = 4;

/** Stride of the per-block summaries: lowest span bottom, highest span top, volume sum. */
const BLOCK_STRIDE = 3;

/**
 * Bars decided per chunk. A chunk's scratch data (~60 bytes a bar) stays in the L2 cache, and memory use
 * stays flat whatever the length of the series; each chunk reloads the window before its first bar.
 */
const CHUNK_BARS = 1 << 14;

/** Per-chunk working data, indexed from the chunk's first loaded bar; allocated once per call. */
interface ChunkScratch {
  spanLow: Float64Array;
  spanHigh: Float64Array;
  volume: Float64Array;
  factors: Float64Array;
  blocks: Float64Array;
  suffixLow: Float64Array;
  suffixHigh: Float64Array;
  histogram: Float64Array;
}

function allocateScratch(capacity: number, blockShift: number, binCount: number): ChunkScratch {
  return {
    spanLow: new Float64Array(capacity),
    spanHigh: new Float64Array(capacity),
    volume: new Float64Array(capacity),
    factors: new Float64Array(capacity * FACTOR_STRIDE),
    blocks: new Float64Array(((capacity >> blockShift) + 1) * BLOCK_STRIDE),
    suffixLow: new Float64Array(capacity),
    suffixHigh: new Float64Array(capacity),
    histogram: new Float64Array(binCount),
  };
}

/** Copies bars [from, to) into the scratch: spans (wicks or bodies) and volumes. */
function loadSpans(candles: Candles, includeWicks: boolean, from: number, to: number, scratch: ChunkScratch): void {
  const { open, high, low, close } = candles;
  const { spanLow, spanHigh } = scratch;
  scratch.volume.set(candles.volume.subarray(from, to));
  if (includeWicks) {
    spanLow.set(low.subarray(from, to));
    spanHigh.set(high.subarray(from, to));
    return;
  }
  // bodies: the lower and the higher of open and close
  for (let i = from; i < to; i++) {
    spanLow[i - from] = Math.min(open[i], close[i]);
    spanHigh[i - from] = Math.max(open[i], close[i]);
  }
}

/**
 * Per-bar factors of the branch-free "volume above E" of one bar: volume * clamp(((top - E) + lift) / span, 0, 1),
 * with max(d, 0) = (d + |d|) / 2 (exact in floating point) and min(a, v) = v - max(v - a, 0).
 * A zero-height bar at price p is given span p * 2^-56 and lift p * 2^-55 (under a quarter of p's ulp):
 * its share is then exactly 1 when p >= E and exactly 0 when p < E, as the histogram has it.
 */
function barFactorsInto(scratch: ChunkScratch, barCount: number): void {
  const { spanLow, spanHigh, volume, factors } = scratch;
  // one row of factors per bar
  for (let i = 0; i < barCount; i++) {
    const top = spanHigh[i];
    const span = top - spanLow[i];
    const row = i * FACTOR_STRIDE;
    factors[row] = top;
    factors[row + 1] = span > 0 ? 0 : top * 2 ** -55;
    factors[row + 2] = (volume[i] * 0.5) / (span > 0 ? span : top * 2 ** -56);
    factors[row + 3] = volume[i];
  }
}

/** Volume of bars [from, to) above price `threshold`, pro rata to each bar's span, without branches. */
function volumeAboveInBars(factors: Float64Array, from: number, to: number, threshold: number): number {
  let volumeAbove = 0;
  // each bar adds min(volume, volume * max(top - E, 0) / span)
  for (let row = from * FACTOR_STRIDE, end = to * FACTOR_STRIDE; row < end; row += FACTOR_STRIDE) {
    const heightAbove = factors[row] - threshold + factors[row + 1];
    const barVolume = factors[row + 3];
    const volumeShortfall = barVolume - (heightAbove + Math.abs(heightAbove)) * factors[row + 2];
    volumeAbove += barVolume - 0.5 * (volumeShortfall + Math.abs(volumeShortfall));
  }
  return volumeAbove;
}

function volumeInBars(volume: Float64Array, from: number, to: number): number {
  let total = 0;
  // plain sum of the bars' volumes
  for (let i = from; i < to; i++) total += volume[i];
  return total;
}

/**
 * For runs of `runLength` bars from bar 0, the min (or max) from each bar to the end of its run. With the
 * prefix extremes of the next run, kept while sliding, any window of `runLength` bars costs one comparison.
 */
function runSuffixExtremesInto(values: Float64Array, barCount: number, runLength: number, pickMax: boolean, extremes: Float64Array): void {
  // each run, walked backwards from its last bar
  for (let runStart = 0; runStart < barCount; runStart += runLength) {
    const runLast = Math.min(runStart + runLength, barCount) - 1;
    let extreme = values[runLast];
    extremes[runLast] = extreme;
    for (let i = runLast - 1; i >= runStart; i--) {
      extreme = pickMax ? Math.max(extreme, values[i]) : Math.min(extreme, values[i]);
      extremes[i] = extreme;
    }
  }
}

/** Min, max and volume of fixed blocks of 2^blockShift bars, so whole blocks above or below E are skipped. */
function blockSummariesInto(scratch: ChunkScratch, barCount: number, blockShift: number): void {
  const { spanLow, spanHigh, volume, blocks } = scratch;
  const blockCount = (barCount + (1 << blockShift) - 1) >> blockShift;
  // each block: fold its bars into min, max and sum
  for (let block = 0; block < blockCount; block++) {
    const first = block << blockShift;
    const end = Math.min(first + (1 << blockShift), barCount);
    let lowest = spanLow[first];
    let highest = spanHigh[first];
    let blockVolume = volume[first];
    for (let i = first + 1; i < end; i++) {
      lowest = Math.min(lowest, spanLow[i]);
      highest = Math.max(highest, spanHigh[i]);
      blockVolume += volume[i];
    }
    blocks[block * BLOCK_STRIDE] = lowest;
    blocks[block * BLOCK_STRIDE + 1] = highest;
    blocks[block * BLOCK_STRIDE + 2] = blockVolume;
  }
}

/**
 * What the last full pass found about the volume above its threshold E, carried along with the window: the
 * bounds move in O(1) per bar (add the bar that entered, remove the one that left) and keep deciding the
 * following bars while they can. The volume above E falls as E rises: a lower bound still holds for a lower
 * E, an upper bound for a higher one.
 */
interface CarriedBounds {
  /** The bar the bounds were last moved to; -1 before the first full pass. */
  bar: number;
  threshold: number;
  total: number;
  surelyAbove: number;
  maybeAbove: number;
  /** Rounding the bounds have picked up, so far. */
  rounding: number;
}

/** A bar's decision: a signal, none, or not yet known (the next, costlier test decides). */
const SIGNAL = 1;
const NO_SIGNAL = 0;
const UNDECIDED = -1;

/** Tries to decide bar i from the carried bounds, moved forward by one bar. */
function decideByCarriedBounds(
  carried: CarriedBounds,
  factors: Float64Array,
  volume: Float64Array,
  i: number,
  windowStart: number,
  threshold: number,
  topShare: number,
  tieTolerance: number,
): number {
  const leavingBar = windowStart - 1;
  const enteringBar = i - 1;
  const shift =
    volumeAboveInBars(factors, enteringBar, i, carried.threshold) - volumeAboveInBars(factors, leavingBar, windowStart, carried.threshold);
  carried.total += volume[enteringBar] - volume[leavingBar];
  carried.surelyAbove += shift;
  carried.maybeAbove += shift;
  // these updates round by far less than 2^-48 of the volumes they touch
  carried.rounding += 2 ** -48 * (carried.total + volume[enteringBar] + volume[leavingBar]);
  const target = topShare * carried.total;
  const slack = carried.total * tieTolerance + carried.rounding;
  if (threshold <= carried.threshold && carried.surelyAbove > target + slack) return NO_SIGNAL;
  if (threshold >= carried.threshold && carried.maybeAbove < target - slack) return SIGNAL;
  return UNDECIDED;
}

/** Volume of bars [from, to) of one block: the block's precomputed sum when the segment is the whole block. */
function segmentVolume(scratch: ChunkScratch, block: number, from: number, to: number, blockShift: number): number {
  return to - from === 1 << blockShift ? scratch.blocks[block * BLOCK_STRIDE + 2] : volumeInBars(scratch.volume, from, to);
}

/**
 * Decides bar i from the window [windowStart, i) with bounds on the volume above E: by blocks first, without
 * branches (bars of blocks wholly above E count for sure, of blocks reaching E maybe, the others not at all),
 * then straddling blocks bar by bar until one bound decides. UNDECIDED when both bounds sit within rounding
 * of the target (a near-tie). Leaves its bounds in `carried` for the next bars.
 */
function decideByBlocks(
  carried: CarriedBounds,
  scratch: ChunkScratch,
  i: number,
  windowStart: number,
  blockShift: number,
  threshold: number,
  topShare: number,
  tieTolerance: number,
): number {
  const { factors, blocks } = scratch;
  const firstBlock = windowStart >> blockShift;
  const lastBlock = (i - 1) >> blockShift;
  // a positive nudge below a quarter of E's ulp: x + nudge keeps the sign of x and is never 0
  const nudge = threshold * 2 ** -60;
  let total = 0;
  let surelyAbove = 0;
  let maybeAbove = 0;
  // every block: its volume counts above E for sure, maybe, or not at all
  for (let block = firstBlock; block <= lastBlock; block++) {
    const row = block * BLOCK_STRIDE;
    const from = block === firstBlock ? windowStart : block << blockShift;
    const to = block === lastBlock ? i : (block + 1) << blockShift;
    const blockVolume = segmentVolume(scratch, block, from, to, blockShift);
    total += blockVolume;
    const lowestAboveE = blocks[row] - threshold + nudge;
    const highestAboveE = blocks[row + 1] - threshold + nudge;
    // (sign(lowest) + sign(highest)) / 2 with one division, exactly: 1 above E, 0 straddling, -1 below
    const lowestMagnitude = Math.abs(lowestAboveE);
    const highestMagnitude = Math.abs(highestAboveE);
    const side = (0.5 * (lowestAboveE * highestMagnitude + highestAboveE * lowestMagnitude)) / (lowestMagnitude * highestMagnitude);
    surelyAbove += blockVolume * 0.5 * (side + Math.abs(side));
    maybeAbove += blockVolume * (1 - 0.5 * (Math.abs(side) - side));
  }
  const target = topShare * total;
  const slack = total * tieTolerance;
  // straddling blocks bar by bar, tightening both bounds, until one of them decides
  for (let block = firstBlock; block <= lastBlock; block++) {
    if (surelyAbove > target + slack || maybeAbove < target - slack) break;
    const row = block * BLOCK_STRIDE;
    if (blocks[row] < threshold && blocks[row + 1] >= threshold) {
      const from = block === firstBlock ? windowStart : block << blockShift;
      const to = block === lastBlock ? i : (block + 1) << blockShift;
      const above = volumeAboveInBars(factors, from, to, threshold);
      surelyAbove += above;
      maybeAbove -= segmentVolume(scratch, block, from, to, blockShift) - above;
    }
  }
  carried.bar = i;
  carried.threshold = threshold;
  carried.total = total;
  carried.surelyAbove = surelyAbove;
  carried.maybeAbove = maybeAbove;
  // the pass's own rounding allowance travels with its bounds
  carried.rounding = slack;
  if (surelyAbove > target + slack) return NO_SIGNAL;
  if (maybeAbove < target - slack) return SIGNAL;
  return UNDECIDED;
}

/**
 * Decides bars [window, barCount) of a loaded chunk (indices from the chunk's first loaded bar, `base` in
 * the candles) and marks the signals in `out`; returns their number. Each bar is decided by the cheapest
 * test that can: the carried bounds, then the blocks, then, for a near-tie or tiny volumes, the histogram.
 */
function signalsOfChunk(
  params: VolumeZoneBreakoutParams,
  scratch: ChunkScratch,
  barCount: number,
  blockShift: number,
  high: Float64Array,
  base: number,
  out: Uint8Array,
): number {
  const window = params.volume_window;
  const binCount = params.num_bins;
  const topShare = params.top_percentile;
  const breakoutFactor = 1 + params.breakout_buffer;
  const { spanLow, spanHigh, volume, factors, suffixLow, suffixHigh, histogram } = scratch;
  // the fast sums and the histogram's each carry at most ~(window + binCount) roundings of size 2^-53 relative
  // to the total; this slack is about four times their combined worst case
  const tieTolerance = (window + binCount + 16) * 1e-15;
  // the sliding window's bookkeeping: prefix extremes of the current run of `window` bars, and volume counts
  let prefixLow = Infinity;
  let prefixHigh = -Infinity;
  let barsLeftInRun = window;
  let positiveVolumeBars = 0;
  let tinyVolumeBars = 0;
  const carried: CarriedBounds = { bar: -1, threshold: 0, total: 0, surelyAbove: 0, maybeAbove: 0, rounding: 0 };
  let signalCount = 0;

  // each bar: decide on the window [i - window, i), then slide the window forward by one bar
  for (let i = 0; i < barCount; i++) {
    if (i >= window && positiveVolumeBars > 0) {
      const windowStart = i - window;
      const rangeLow = Math.min(suffixLow[windowStart], prefixLow);
      const rangeHigh = Math.max(suffixHigh[windowStart], prefixHigh);
      const barHigh = high[base + i];
      // an empty range has no bins; a high below the lowest edge cannot break out
      if (rangeHigh > rangeLow && barHigh >= rangeLow * breakoutFactor) {
        const binWidth = (rangeHigh - rangeLow) / binCount;
        const highestPassingBin = highestBinAtOrBelow(rangeLow, rangeHigh, binWidth, binCount, breakoutFactor, barHigh);
        // a high that clears the top bin's edge is a signal whatever the volumes
        let decision = SIGNAL;
        if (tinyVolumeBars === 0 && highestPassingBin < binCount - 1) {
          const threshold = binEdge(rangeLow, rangeHigh, binWidth, binCount, highestPassingBin + 1);
          decision =
            carried.bar === i - 1
              ? decideByCarriedBounds(carried, factors, volume, i, windowStart, threshold, topShare, tieTolerance)
              : UNDECIDED;
          if (decision === UNDECIDED)
            decision = decideByBlocks(carried, scratch, i, windowStart, blockShift, threshold, topShare, tieTolerance);
          else carried.bar = i;
        }
        if (tinyVolumeBars > 0 || decision === UNDECIDED) {
          // tiny volumes or a near-tie: the literal histogram decides
          const breaks = breaksOutByHistogram(
            spanLow,
            spanHigh,
            volume,
            windowStart,
            i,
            rangeLow,
            rangeHigh,
            topShare,
            breakoutFactor,
            barHigh,
            histogram,
          );
          decision = breaks ? SIGNAL : NO_SIGNAL;
        }
        if (decision === SIGNAL) {
          out[base + i] = 1;
          signalCount++;
        }
      }
    }
    // slide: bar i joins the current run's prefix extremes and the counts (a new run starts every `window`
    // bars), bar i - window leaves the counts
    if (barsLeftInRun === window) {
      prefixLow = spanLow[i];
      prefixHigh = spanHigh[i];
    } else {
      prefixLow = Math.min(prefixLow, spanLow[i]);
      prefixHigh = Math.max(prefixHigh, spanHigh[i]);
    }
    if (--barsLeftInRun === 0) barsLeftInRun = window;
    if (volume[i] > 0) positiveVolumeBars++;
    if (volume[i] > 0 && volume[i] < TINY_VOLUME) tinyVolumeBars++;
    if (i >= window && volume[i - window] > 0) positiveVolumeBars--;
    if (i >= window && volume[i - window] > 0 && volume[i - window] < TINY_VOLUME) tinyVolumeBars--;
  }
  return signalCount;
}

function volumeZoneBreakoutSignalsInto(candles: Candles, params: VolumeZoneBreakoutParams, out: Uint8Array): number {
  const barCount = candles.length;
  const window = params.volume_window;
  out.fill(0, 0, barCount);
  if (barCount <= window) return 0;
  // blocks of about sqrt(window) bars (8 for the default 60): few block tests, few bars read one by one
  const blockShift = Math.max(3, Math.round(Math.log2(window) / 2));
  const scratch = allocateScratch(Math.min(barCount, window + CHUNK_BARS), blockShift, params.num_bins);
  let signalCount = 0;
  // each chunk of bars to decide, loaded with the window before its first bar
  for (let chunkStart = window; chunkStart < barCount; chunkStart += CHUNK_BARS) {
    const base = chunkStart - window;
    const loadedBars = Math.min(chunkStart + CHUNK_BARS, barCount) - base;
    loadSpans(candles, params.include_wicks, base, base + loadedBars, scratch);
    barFactorsInto(scratch, loadedBars);
    blockSummariesInto(scratch, loadedBars, blockShift);
    runSuffixExtremesInto(scratch.spanLow, loadedBars, window, false, scratch.suffixLow);
    runSuffixExtremesInto(scratch.spanHigh, loadedBars, window, true, scratch.suffixHigh);
    signalCount += signalsOfChunk(params, scratch, loadedBars, blockShift, candles.high, base, out);
  }
  return signalCount;
}

export const volumeZoneBreakout = defineStrategy({
  id: 'volume_zone_breakout',
  description:
    'Breakout above the high-volume price zone of the previous volume_window bars: the volume profile (num_bins price bins) ' +
    'is read from the top down until top_percentile of the volume is reached; a bar whose high clears that zone by ' +
    'breakout_buffer is an entry.',
  paramsSchema,
  signalsInto: volumeZoneBreakoutSignalsInto,
  // the profile of bar i is built from the volume_window bars before it
  warmupBars: (params) => params.volume_window,
});
