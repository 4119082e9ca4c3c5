import { z } from 'zod';
import { defineStrategy, holdPeriodBarsSchema, type SharedSignals } from '../strategy';
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
 * one wholly below not at all; the few bars outside whole blocks and then straddling blocks are read bar by
 * bar, with a branch-free clamp, until the bounds decide. Those bounds then follow the window in O(1) per bar
 * (add the bar that entered, remove the one that left) and decide the next bars while they can: the volume
 * above E only falls as E rises, so a lower bound still holds for a lower E and an upper bound for a higher
 * one. Window min and max cost O(1) (van Herk / Gil-Werman); K costs O(1). Per bar that is O(window / block + bars straddling E), and no
 * work at all for a high below every edge or above the top bin's edge. Bars are processed in chunks
 * whose scratch data stays in cache. The sums run in another order than the histogram's, so when they land
 * within a rounding bound of the target (an exact tie on structured data, essentially never on market
 * data) the bar is decided by the histogram itself: signals equal the reference bit for bit.
 *
 * Sweeps (`sharedSignals`): the same comparison, "has the search stopped at or below bin k?", bisected over k finds
 * the stop bin itself, so one scan gives each bar's resistance and every breakout_buffer is then one cheap pass.
 * Two sets of bounds are carried (the last comparison below the target and the last reaching it), so a resistance
 * that stays in its bin from bar to bar is confirmed in O(1).
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

/**
 * The literal histogram of one window: the bin at which the top-down search stops (its lower edge is the resistance),
 * or -1 when the window holds no volume. The definition itself, used where the fast pass cannot vouch for its
 * rounding (near-ties, tiny volumes).
 */
function histogramStopBin(
  scratch: ChunkScratch,
  windowStart: number,
  windowEnd: number,
  rangeLow: number,
  rangeHigh: number,
  topShare: number,
): number {
  const { spanLow, spanHigh, volume, histogram: bins } = scratch;
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
  if (total === 0) return -1;
  const target = topShare * total;
  let running = 0;
  let bin = binCount - 1;
  // walk down from the top bin until the running volume reaches the target share
  for (; bin > 0; bin--) {
    running += bins[bin];
    if (running >= target) break;
  }
  return bin;
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
  /** The loaded bars' spans and volumes (see `loadSpans`). */
  spanLow: Float64Array;
  spanHigh: Float64Array;
  volume: Float64Array;
  /** Candle bodies, where spans are bodies (empty with wicks). */
  bodyLow: Float64Array;
  bodyHigh: Float64Array;
  factors: Float64Array;
  blocks: Float64Array;
  /** Per bar j, the price range of the window [j, j + window), NaN where that window holds no volume (see `windowRangesInto`). */
  windowLow: Float64Array;
  windowHigh: Float64Array;
  /** Per bar j, 1 when the window [j, j + window) holds a tiny volume (see TINY_VOLUME). */
  windowHasTinyVolume: Uint8Array;
  histogram: Float64Array;
  /** Carried bounds: the resistance scan's two sets, and every decisive full pass's bounds (see the CARRIED_ constants). */
  carried: Float64Array;
}

function allocateScratch(capacity: number, blockShift: number, binCount: number, includeWicks: boolean): ChunkScratch {
  const bodyCapacity = includeWicks ? 0 : capacity;
  const noBars = new Float64Array(0);
  return {
    spanLow: noBars,
    spanHigh: noBars,
    volume: noBars,
    bodyLow: new Float64Array(bodyCapacity),
    bodyHigh: new Float64Array(bodyCapacity),
    factors: new Float64Array(capacity * FACTOR_STRIDE),
    blocks: new Float64Array(((capacity >> blockShift) + 1) * BLOCK_STRIDE),
    windowLow: new Float64Array(capacity),
    windowHigh: new Float64Array(capacity),
    windowHasTinyVolume: new Uint8Array(capacity),
    histogram: new Float64Array(binCount),
    carried: new Float64Array(CARRIED_SLOTS),
  };
}

/**
 * Points the scratch at bars [from, to): volumes and, with wicks, lows and highs are views of the candles' columns;
 * candle bodies (the lower and the higher of open and close) are computed into the scratch's own columns.
 */
function loadSpans(candles: Candles, includeWicks: boolean, from: number, to: number, scratch: ChunkScratch): void {
  scratch.volume = candles.volume.subarray(from, to);
  if (includeWicks) {
    scratch.spanLow = candles.low.subarray(from, to);
    scratch.spanHigh = candles.high.subarray(from, to);
    return;
  }
  const { open, close } = candles;
  const { bodyLow, bodyHigh } = scratch;
  // bodies: the lower and the higher of open and close
  for (let i = from; i < to; i++) {
    bodyLow[i - from] = Math.min(open[i], close[i]);
    bodyHigh[i - from] = Math.max(open[i], close[i]);
  }
  scratch.spanLow = bodyLow;
  scratch.spanHigh = bodyHigh;
}

/**
 * Per-bar factors of the branch-free "volume above E" of one bar: volume * clamp(((top - E) + lift) / span, 0, 1),
 * with max(d, 0) = (d + |d|) / 2 (exact in floating point) and min(a, v) = v - max(v - a, 0).
 * A zero-height bar at price p is given span p * 2^-56 and lift p * 2^-55 (under a quarter of p's ulp):
 * its share is then exactly 1 when p >= E and exactly 0 when p < E, as the histogram has it.
 *
 * In the same pass, the lowest span bottom, highest span top and volume of fixed blocks of 2^blockShift bars, so that
 * whole blocks above or below E are counted or skipped without reading their bars.
 */
function barFactorsAndBlocksInto(scratch: ChunkScratch, barCount: number, blockShift: number): void {
  const { spanLow, spanHigh, volume, factors, blocks } = scratch;
  // each block, then each of its bars: one row of factors, folded into the block's row
  for (let first = 0, blockRow = 0; first < barCount; first += 1 << blockShift, blockRow += BLOCK_STRIDE) {
    const end = Math.min(first + (1 << blockShift), barCount);
    let lowest = Infinity;
    let highest = -Infinity;
    let blockVolume = 0;
    for (let i = first; i < end; i++) {
      const top = spanHigh[i];
      const span = top - spanLow[i];
      const row = i * FACTOR_STRIDE;
      factors[row] = top;
      factors[row + 1] = span > 0 ? 0 : top * 2 ** -55;
      factors[row + 2] = (volume[i] * 0.5) / (span > 0 ? span : top * 2 ** -56);
      factors[row + 3] = volume[i];
      // (by comparison, as in `windowRangesInto`)
      lowest = spanLow[i] < lowest ? spanLow[i] : lowest;
      highest = top > highest ? top : highest;
      blockVolume += volume[i];
    }
    blocks[blockRow] = lowest;
    blocks[blockRow + 1] = highest;
    blocks[blockRow + 2] = blockVolume;
  }
}

/** Volume of one bar above price `threshold`, pro rata to its span, without branches (see `barFactorsAndBlocksInto`). */
function volumeAboveOfBar(factors: Float64Array, bar: number, threshold: number): number {
  const row = bar * FACTOR_STRIDE;
  // min(volume, volume * max(top - E, 0) / span)
  const heightAbove = factors[row] - threshold + factors[row + 1];
  const barVolume = factors[row + 3];
  const volumeShortfall = barVolume - (heightAbove + Math.abs(heightAbove)) * factors[row + 2];
  return barVolume - 0.5 * (volumeShortfall + Math.abs(volumeShortfall));
}

/** Volume of bars [from, to) above price `threshold`. */
function volumeAboveInBars(factors: Float64Array, from: number, to: number, threshold: number): number {
  let volumeAbove = 0;
  // bar by bar, in order
  for (let bar = from; bar < to; bar++) volumeAbove += volumeAboveOfBar(factors, bar, threshold);
  return volumeAbove;
}

function volumeInBars(volume: Float64Array, from: number, to: number): number {
  let total = 0;
  // plain sum of the bars' volumes
  for (let i = from; i < to; i++) total += volume[i];
  return total;
}

/**
 * The price range of every window of `window` loaded bars, in O(1) per window (van Herk / Gil-Werman): for runs of
 * `window` bars from bar 0, the extremes from each bar to the end of its run, combined with the extremes from the
 * start of the next run. For each window [j, j + window) that ends before `barCount`, writes windowLow[j] and
 * windowHigh[j] (NaN when the window holds no volume) and windowHasTinyVolume[j].
 */
function windowRangesInto(scratch: ChunkScratch, barCount: number, window: number): void {
  const { spanLow, spanHigh, volume, windowLow, windowHigh, windowHasTinyVolume } = scratch;
  // extremes by comparison rather than Math.min and Math.max, which V8 compiles with checks for NaN and -0: prices are
  // finite and positive (checked when candles are loaded), and these loops are a tenth of the signals' time
  const lastStart = barCount - window - 1;
  // each run, walked backwards from its last bar: the suffix extremes, in place
  for (let runStart = 0; runStart < barCount; runStart += window) {
    const runLast = Math.min(runStart + window, barCount) - 1;
    let lowest = spanLow[runLast];
    let highest = spanHigh[runLast];
    windowLow[runLast] = lowest;
    windowHigh[runLast] = highest;
    for (let i = runLast - 1; i >= runStart; i--) {
      lowest = spanLow[i] < lowest ? spanLow[i] : lowest;
      highest = spanHigh[i] > highest ? spanHigh[i] : highest;
      windowLow[i] = lowest;
      windowHigh[i] = highest;
    }
  }
  // each run again, forwards: a window starting in it is its suffix and the next run's bars up to the window's end
  for (let runStart = 0; runStart <= lastStart; runStart += window) {
    const runEnd = Math.min(runStart + window, lastStart + 1);
    let prefixLow = Infinity;
    let prefixHigh = -Infinity;
    for (let start = runStart; start < runEnd; start++) {
      windowLow[start] = prefixLow < windowLow[start] ? prefixLow : windowLow[start];
      windowHigh[start] = prefixHigh > windowHigh[start] ? prefixHigh : windowHigh[start];
      prefixLow = spanLow[start + window] < prefixLow ? spanLow[start + window] : prefixLow;
      prefixHigh = spanHigh[start + window] > prefixHigh ? spanHigh[start + window] : prefixHigh;
    }
  }
  // as a rule every bar has a volume of ordinary size: every window then holds volume and none holds a tiny one
  if (volumesAreOrdinary(volume, barCount)) {
    windowHasTinyVolume.fill(0, 0, barCount);
    return;
  }
  let positiveVolumeBars = 0;
  let tinyVolumeBars = 0;
  // the bars with volume, and with a tiny one, of each window: bar start + window enters as bar start leaves
  for (let i = 0; i < barCount; i++) {
    if (i >= window) {
      const start = i - window;
      if (positiveVolumeBars === 0) windowLow[start] = windowHigh[start] = NaN;
      windowHasTinyVolume[start] = tinyVolumeBars > 0 ? 1 : 0;
      if (volume[start] > 0) positiveVolumeBars--;
      if (volume[start] > 0 && volume[start] < TINY_VOLUME) tinyVolumeBars--;
    }
    if (volume[i] > 0) positiveVolumeBars++;
    if (volume[i] > 0 && volume[i] < TINY_VOLUME) tinyVolumeBars++;
  }
}

/** Whether bars [0, barCount) all have a volume of at least TINY_VOLUME. */
function volumesAreOrdinary(volume: Float64Array, barCount: number): boolean {
  // (a comparison false for NaN ends the search too)
  for (let i = 0; i < barCount; i++) if (!(volume[i] >= TINY_VOLUME)) return false;
  return true;
}

/**
 * Carried bounds: bounds on the volume above the threshold of an earlier full pass, moved with the window. The signal
 * scan keeps one set in locals; the resistance scan keeps two in `ChunkScratch.carried` (the last full pass that found
 * the volume above its threshold below the target, and the last that found it reaching the target), and every full pass
 * leaves its bounds there. Fields of a set: the bar (window end) the bounds are for, their threshold E, the window's
 * total volume, the lower and upper bound on the volume above E, and the rounding they have gathered.
 */
const CARRIED_BAR = 0;
const CARRIED_THRESHOLD = 1;
const CARRIED_TOTAL = 2;
const CARRIED_SURELY_ABOVE = 3;
const CARRIED_MAYBE_ABOVE = 4;
const CARRIED_ROUNDING = 5;
const CARRIED_FIELDS = 6;
const CARRIED_SLOTS = 2 * CARRIED_FIELDS;

/** Outcomes of `compareVolumeAbove`. */
const BELOW_TARGET = 0;
const REACHES_TARGET = 1;
const NEAR_TIE = 2;
/** What carried bounds say when they cannot decide. */
const UNDECIDED = 3;

/** The window's parameters the comparisons read, fixed for a whole call. */
interface WindowRule {
  window: number;
  binCount: number;
  topShare: number;
  blockShift: number;
  /** Relative slack of a comparison: the fast sums' and the histogram's worst-case rounding, four times over. */
  tieTolerance: number;
  /** Slots of `ChunkScratch.carried` in use: one set of bounds (CARRIED_FIELDS) or two (CARRIED_SLOTS). */
  carriedSlots: number;
}

function windowRule(params: VolumeZoneBreakoutParams, blockShift: number, carriedSlots: number): WindowRule {
  const window = params.volume_window;
  const binCount = params.num_bins;
  // the fast sums and the histogram's each carry at most ~(window + binCount) roundings of size 2^-53 relative
  // to the total; this slack is about four times their combined worst case
  return { window, binCount, topShare: params.top_percentile, blockShift, tieTolerance: (window + binCount + 16) * 1e-15, carriedSlots };
}

/** How the volume above `threshold` changes when the window moves on by one bar: `enteringBar` counts, `leavingBar` no longer does. */
function volumeAboveShift(factors: Float64Array, enteringBar: number, leavingBar: number, threshold: number): number {
  return volumeAboveOfBar(factors, enteringBar, threshold) - volumeAboveOfBar(factors, leavingBar, threshold);
}

/** A bound on the rounding of one move of carried bounds: its updates round by far less than 2^-48 of the volumes they touch. */
function roundingOfMove(movedTotal: number, enteringVolume: number, leavingVolume: number): number {
  return 2 ** -48 * (movedTotal + enteringVolume + leavingVolume);
}

/**
 * What bounds on the volume above `carriedThreshold` (with the rounding they have gathered) say about the volume above
 * `threshold`, UNDECIDED when nothing: the volume above E only falls as E rises, so a lower bound still holds for a lower
 * E and an upper bound for a higher one.
 */
function verdictOfBounds(
  rule: WindowRule,
  threshold: number,
  carriedThreshold: number,
  total: number,
  surelyAbove: number,
  maybeAbove: number,
  rounding: number,
): number {
  const target = rule.topShare * total;
  const slack = total * rule.tieTolerance + rounding;
  if (threshold <= carriedThreshold && surelyAbove > target + slack) return REACHES_TARGET;
  if (threshold >= carriedThreshold && maybeAbove < target - slack) return BELOW_TARGET;
  return UNDECIDED;
}

/**
 * Compares the volume above price `threshold` (E) in the window [windowStart, windowEnd) with `topShare` of the window's
 * total: BELOW_TARGET when it is surely below (the histogram's search stops at or below the bin under E), REACHES_TARGET
 * when it surely reaches it, NEAR_TIE when only the histogram can tell. Decisive outcomes are what the histogram
 * decides, whatever the rounding of either.
 *
 * The carried sets in `ChunkScratch.carried` decide first while they can; they move once per window (the first
 * comparison of a window moves them), and a full pass replaces the set of its outcome with its own bounds.
 */
function compareVolumeAbove(rule: WindowRule, scratch: ChunkScratch, windowStart: number, windowEnd: number, threshold: number): number {
  const carriedOutcome = compareByCarriedBounds(rule, scratch, windowStart, windowEnd, threshold);
  return carriedOutcome === UNDECIDED ? compareByBlocks(rule, scratch, windowStart, windowEnd, threshold) : carriedOutcome;
}

/** The carried sets' verdict (see `compareVolumeAbove`), UNDECIDED when none of them decides; moves them first. */
function compareByCarriedBounds(
  rule: WindowRule,
  scratch: ChunkScratch,
  windowStart: number,
  windowEnd: number,
  threshold: number,
): number {
  const { volume, factors, carried } = scratch;
  // each set of carried bounds: move it to this window if it is the last one's, then let it decide if it can
  for (let slot = 0; slot < rule.carriedSlots; slot += CARRIED_FIELDS) {
    if (carried[slot + CARRIED_BAR] === windowEnd - 1) {
      const leavingBar = windowStart - 1;
      const enteringBar = windowEnd - 1;
      const shift = volumeAboveShift(factors, enteringBar, leavingBar, carried[slot + CARRIED_THRESHOLD]);
      carried[slot + CARRIED_TOTAL] += volume[enteringBar] - volume[leavingBar];
      carried[slot + CARRIED_SURELY_ABOVE] += shift;
      carried[slot + CARRIED_MAYBE_ABOVE] += shift;
      carried[slot + CARRIED_ROUNDING] += roundingOfMove(carried[slot + CARRIED_TOTAL], volume[enteringBar], volume[leavingBar]);
      carried[slot + CARRIED_BAR] = windowEnd;
    }
    if (carried[slot + CARRIED_BAR] === windowEnd) {
      const verdict = verdictOfBounds(
        rule,
        threshold,
        carried[slot + CARRIED_THRESHOLD],
        carried[slot + CARRIED_TOTAL],
        carried[slot + CARRIED_SURELY_ABOVE],
        carried[slot + CARRIED_MAYBE_ABOVE],
        carried[slot + CARRIED_ROUNDING],
      );
      if (verdict !== UNDECIDED) return verdict;
    }
  }
  return UNDECIDED;
}

/**
 * A full pass over the window (see `compareVolumeAbove`). Bars before its first whole block and after its last are
 * read one by one; whole blocks wholly above E count whole, those wholly below not at all, and straddling blocks are
 * read bar by bar only until the bounds decide. A decisive pass leaves its bounds in `ChunkScratch.carried`, in the
 * first set or (with two) the set of its outcome.
 */
function compareByBlocks(rule: WindowRule, scratch: ChunkScratch, windowStart: number, windowEnd: number, threshold: number): number {
  const { topShare, tieTolerance, blockShift } = rule;
  const { volume, factors, blocks } = scratch;
  // the window: a head [windowStart, headEnd), whole blocks [firstBlock, endBlock), a tail [tailStart, windowEnd)
  const firstBlock = (windowStart + (1 << blockShift) - 1) >> blockShift;
  const endBlock = Math.max(windowEnd >> blockShift, firstBlock);
  const headEnd = Math.min(firstBlock << blockShift, windowEnd);
  const tailStart = Math.max(endBlock << blockShift, headEnd);
  const headAndTailAbove =
    volumeAboveInBars(factors, windowStart, headEnd, threshold) + volumeAboveInBars(factors, tailStart, windowEnd, threshold);
  let total = volumeInBars(volume, windowStart, headEnd) + volumeInBars(volume, tailStart, windowEnd);
  let volumeSurelyAbove = headAndTailAbove;
  let volumeMaybeAbove = headAndTailAbove;
  // a positive nudge below a quarter of E's ulp: x + nudge keeps the sign of x and is never 0
  const nudge = threshold * 2 ** -60;
  // bound the volume above E by whole blocks, without branches: all bars above E (block min >= E) count for
  // sure, bars of blocks reaching E (block max >= E) maybe, the others not at all
  for (let row = firstBlock * BLOCK_STRIDE, end = endBlock * BLOCK_STRIDE; row < end; row += BLOCK_STRIDE) {
    const blockVolume = blocks[row + 2];
    total += blockVolume;
    const lowestAboveE = blocks[row] - threshold + nudge;
    const highestAboveE = blocks[row + 1] - threshold + nudge;
    // (sign(lowest) + sign(highest)) / 2 with one division, exactly: 1 above E, 0 straddling, -1 below
    const lowestMagnitude = Math.abs(lowestAboveE);
    const highestMagnitude = Math.abs(highestAboveE);
    const side = (0.5 * (lowestAboveE * highestMagnitude + highestAboveE * lowestMagnitude)) / (lowestMagnitude * highestMagnitude);
    volumeSurelyAbove += blockVolume * 0.5 * (side + Math.abs(side));
    volumeMaybeAbove += blockVolume * (1 - 0.5 * (Math.abs(side) - side));
  }
  const target = topShare * total;
  const slack = total * tieTolerance;
  // settle straddling blocks bar by bar, tightening both bounds, until one of them decides
  for (let block = firstBlock; block < endBlock; block++) {
    if (volumeSurelyAbove > target + slack || volumeMaybeAbove < target - slack) break;
    const row = block * BLOCK_STRIDE;
    if (blocks[row] < threshold && blocks[row + 1] >= threshold) {
      const blockAbove = volumeAboveInBars(factors, block << blockShift, (block + 1) << blockShift, threshold);
      volumeSurelyAbove += blockAbove;
      volumeMaybeAbove -= blocks[row + 2] - blockAbove;
    }
  }
  const outcome = volumeSurelyAbove > target + slack ? REACHES_TARGET : volumeMaybeAbove < target - slack ? BELOW_TARGET : NEAR_TIE;
  if (outcome !== NEAR_TIE) {
    const carried = scratch.carried;
    const slot = outcome === BELOW_TARGET || rule.carriedSlots === CARRIED_FIELDS ? 0 : CARRIED_FIELDS;
    carried[slot + CARRIED_BAR] = windowEnd;
    carried[slot + CARRIED_THRESHOLD] = threshold;
    carried[slot + CARRIED_TOTAL] = total;
    carried[slot + CARRIED_SURELY_ABOVE] = volumeSurelyAbove;
    carried[slot + CARRIED_MAYBE_ABOVE] = volumeMaybeAbove;
    // the pass's own rounding allowance travels with its bounds
    carried[slot + CARRIED_ROUNDING] = slack;
  }
  return outcome;
}

/** The signal of the bar ending the window [windowStart, windowEnd) by the histogram itself, for what the fast pass cannot vouch for. */
function breaksOutByHistogram(
  rule: WindowRule,
  scratch: ChunkScratch,
  windowStart: number,
  windowEnd: number,
  rangeLow: number,
  rangeHigh: number,
  breakoutFactor: number,
  barHigh: number,
): boolean {
  const binWidth = (rangeHigh - rangeLow) / rule.binCount;
  const stopBin = histogramStopBin(scratch, windowStart, windowEnd, rangeLow, rangeHigh, rule.topShare);
  return stopBin >= 0 && barHigh >= binEdge(rangeLow, rangeHigh, binWidth, rule.binCount, stopBin) * breakoutFactor;
}

/**
 * Marks the signals of bars [window, barCount) of a loaded chunk (indices from the chunk's first loaded bar, `base` in
 * the candles) and returns their number. A bar signals when `high >= resistance * breakoutFactor`; edges rise with k,
 * so with K = the highest bin whose edge passes that test, it signals exactly when the search has not stopped above K:
 * when the volume above E = edge(K + 1) is below the target (`compareVolumeAbove`).
 *
 * One comparison per bar, so one set of carried bounds, kept in locals: it decides most bars in O(1), and each full pass
 * (`compareByBlocks`) replaces it. (The same set in `ChunkScratch.carried` costs a tenth of the speed.)
 */
function signalsOfChunk(
  rule: WindowRule,
  scratch: ChunkScratch,
  barCount: number,
  high: Float64Array,
  base: number,
  breakoutFactor: number,
  signals: Uint8Array,
): number {
  const { window, binCount } = rule;
  const { volume, factors, windowLow, windowHigh, windowHasTinyVolume, carried } = scratch;
  let signalCount = 0;
  let carriedBar = -1;
  let carriedThreshold = 0;
  let carriedTotal = 0;
  let carriedSurelyAbove = 0;
  let carriedMaybeAbove = 0;
  let carriedRounding = 0;
  // each bar i, decided on the window [i - window, i) before it
  for (let i = window; i < barCount; i++) {
    const windowStart = i - window;
    const rangeLow = windowLow[windowStart];
    const rangeHigh = windowHigh[windowStart];
    const barHigh = high[base + i];
    // a window without volume (NaN) or with an empty range has no bins; a high below the lowest edge cannot break out
    if (!(rangeHigh > rangeLow && barHigh >= rangeLow * breakoutFactor)) continue;
    const binWidth = (rangeHigh - rangeLow) / binCount;
    const highestPassingBin = highestBinAtOrBelow(rangeLow, rangeHigh, binWidth, binCount, breakoutFactor, barHigh);
    // the search stops at the top bin at the highest: a high that clears its edge always breaks out
    let outcome = windowHasTinyVolume[windowStart] === 1 ? NEAR_TIE : BELOW_TARGET;
    if (outcome === BELOW_TARGET && highestPassingBin < binCount - 1) {
      const threshold = binEdge(rangeLow, rangeHigh, binWidth, binCount, highestPassingBin + 1);
      outcome = UNDECIDED;
      if (carriedBar === i - 1) {
        const shift = volumeAboveShift(factors, i - 1, windowStart - 1, carriedThreshold);
        carriedTotal += volume[i - 1] - volume[windowStart - 1];
        carriedSurelyAbove += shift;
        carriedMaybeAbove += shift;
        carriedRounding += roundingOfMove(carriedTotal, volume[i - 1], volume[windowStart - 1]);
        carriedBar = i;
        outcome = verdictOfBounds(rule, threshold, carriedThreshold, carriedTotal, carriedSurelyAbove, carriedMaybeAbove, carriedRounding);
      }
      if (outcome === UNDECIDED) {
        outcome = compareByBlocks(rule, scratch, windowStart, i, threshold);
        // a decisive pass left its bounds in the first set; after a near-tie the set there is an older window's
        carriedBar = carried[CARRIED_BAR];
        carriedThreshold = carried[CARRIED_THRESHOLD];
        carriedTotal = carried[CARRIED_TOTAL];
        carriedSurelyAbove = carried[CARRIED_SURELY_ABOVE];
        carriedMaybeAbove = carried[CARRIED_MAYBE_ABOVE];
        carriedRounding = carried[CARRIED_ROUNDING];
      }
    }
    const isSignal =
      outcome === NEAR_TIE
        ? breaksOutByHistogram(rule, scratch, windowStart, i, rangeLow, rangeHigh, breakoutFactor, barHigh)
        : outcome === BELOW_TARGET;
    if (isSignal) {
      signals[base + i] = 1;
      signalCount++;
    }
  }
  return signalCount;
}

/**
 * The resistance of the window [windowStart, windowEnd) where the bar's high reaches it (`high >= resistance`),
 * else NaN: exactly the histogram's bin edge, found by bisection over the bins at or below the high's with
 * `compareVolumeAbove` (the search has stopped at or below bin k exactly when the volume above edge(k + 1) is below
 * the target). Where the high is below the resistance no breakout buffer >= 0 can signal, so its value is not needed.
 */
function reachableResistance(
  rule: WindowRule,
  scratch: ChunkScratch,
  windowStart: number,
  windowEnd: number,
  rangeLow: number,
  rangeHigh: number,
  barHigh: number,
  hasTinyVolumes: boolean,
  guess: number,
): number {
  const binCount = rule.binCount;
  const binWidth = (rangeHigh - rangeLow) / binCount;
  // the bins the stop bin may be in: [lowest, highest]
  let lowest = 0;
  let highest = highestBinAtOrBelow(rangeLow, rangeHigh, binWidth, binCount, 1, barHigh);
  let outcome = hasTinyVolumes ? NEAR_TIE : BELOW_TARGET;
  if (!hasTinyVolumes && highest < binCount - 1) {
    // does the search stop at or below the high's bin at all?
    outcome = compareVolumeAbove(rule, scratch, windowStart, windowEnd, binEdge(rangeLow, rangeHigh, binWidth, binCount, highest + 1));
    if (outcome === REACHES_TARGET) return NaN;
  }
  if (outcome !== NEAR_TIE && !Number.isNaN(guess) && lowest < highest) {
    // the resistance moves little from bar to bar: try the bin of the last one found, then the bin below it
    const guessBin = Math.min(highestBinAtOrBelow(rangeLow, rangeHigh, binWidth, binCount, 1, guess), highest);
    if (guessBin < highest) {
      outcome = compareVolumeAbove(rule, scratch, windowStart, windowEnd, binEdge(rangeLow, rangeHigh, binWidth, binCount, guessBin + 1));
      if (outcome === BELOW_TARGET) highest = guessBin;
      else if (outcome === REACHES_TARGET) lowest = guessBin + 1;
    }
    if (outcome === BELOW_TARGET && highest === guessBin && guessBin > lowest) {
      outcome = compareVolumeAbove(rule, scratch, windowStart, windowEnd, binEdge(rangeLow, rangeHigh, binWidth, binCount, guessBin));
      if (outcome === BELOW_TARGET) highest = guessBin - 1;
      else if (outcome === REACHES_TARGET) lowest = guessBin;
    }
  }
  // bisect: each comparison halves the bins left, until one remains or a near-tie needs the histogram
  while (outcome !== NEAR_TIE && lowest < highest) {
    const middle = (lowest + highest) >> 1;
    outcome = compareVolumeAbove(rule, scratch, windowStart, windowEnd, binEdge(rangeLow, rangeHigh, binWidth, binCount, middle + 1));
    if (outcome === BELOW_TARGET) highest = middle;
    else if (outcome === REACHES_TARGET) lowest = middle + 1;
  }
  let stopBin = lowest;
  if (outcome === NEAR_TIE) {
    stopBin = histogramStopBin(scratch, windowStart, windowEnd, rangeLow, rangeHigh, rule.topShare);
    if (stopBin < 0) return NaN;
  }
  const resistance = binEdge(rangeLow, rangeHigh, binWidth, binCount, stopBin);
  return barHigh >= resistance ? resistance : NaN;
}

/**
 * Writes each bar's reachable resistance (see `reachableResistance`, NaN where there is none) for bars [window, barCount)
 * of a loaded chunk (indices from the chunk's first loaded bar, `base` in the candles).
 */
function resistancesOfChunk(
  rule: WindowRule,
  scratch: ChunkScratch,
  barCount: number,
  high: Float64Array,
  base: number,
  resistances: Float64Array,
): void {
  const window = rule.window;
  const { windowLow, windowHigh, windowHasTinyVolume } = scratch;
  // the last resistance found, the first guess of the next search
  let lastResistance = NaN;
  scratch.carried.fill(-2);
  // each bar i, on the window [i - window, i) before it
  for (let i = window; i < barCount; i++) {
    const windowStart = i - window;
    const rangeLow = windowLow[windowStart];
    const rangeHigh = windowHigh[windowStart];
    const barHigh = high[base + i];
    // as for signals, with the lowest factor a buffer >= 0 can have: every bar one of them might signal on
    if (!(rangeHigh > rangeLow && barHigh >= rangeLow)) continue;
    const hasTinyVolumes = windowHasTinyVolume[windowStart] === 1;
    const resistance = reachableResistance(rule, scratch, windowStart, i, rangeLow, rangeHigh, barHigh, hasTinyVolumes, lastResistance);
    resistances[base + i] = resistance;
    if (!Number.isNaN(resistance)) lastResistance = resistance;
  }
}

/**
 * Loads the candles chunk by chunk, each with the window before its first bar, and hands each to `scanChunk` with the
 * number of bars loaded and the candle index of the first (`base`); returns the sum of what it returns.
 */
function scanCandles(
  candles: Candles,
  params: VolumeZoneBreakoutParams,
  carriedSlots: number,
  scanChunk: (rule: WindowRule, scratch: ChunkScratch, loadedBars: number, base: number) => number,
): number {
  const barCount = candles.length;
  const window = params.volume_window;
  if (barCount <= window) return 0;
  // blocks of about sqrt(window) bars (8 for the default 60): few block tests, few bars read one by one
  const blockShift = Math.max(3, Math.round(Math.log2(window) / 2));
  const rule = windowRule(params, blockShift, carriedSlots);
  const scratch = allocateScratch(Math.min(barCount, window + CHUNK_BARS), blockShift, params.num_bins, params.include_wicks);
  let total = 0;
  // each chunk of bars to decide, loaded with the window before its first bar
  for (let chunkStart = window; chunkStart < barCount; chunkStart += CHUNK_BARS) {
    const base = chunkStart - window;
    const loadedBars = Math.min(chunkStart + CHUNK_BARS, barCount) - base;
    loadSpans(candles, params.include_wicks, base, base + loadedBars, scratch);
    barFactorsAndBlocksInto(scratch, loadedBars, blockShift);
    windowRangesInto(scratch, loadedBars, window);
    total += scanChunk(rule, scratch, loadedBars, base);
  }
  return total;
}

function volumeZoneBreakoutSignalsInto(candles: Candles, params: VolumeZoneBreakoutParams, out: Uint8Array): number {
  out.fill(0, 0, candles.length);
  const breakoutFactor = 1 + params.breakout_buffer;
  // one comparison per bar: one set of carried bounds
  return scanCandles(candles, params, CARRIED_FIELDS, (rule, scratch, loadedBars, base) =>
    signalsOfChunk(rule, scratch, loadedBars, candles.high, base, breakoutFactor, out),
  );
}

/**
 * Per bar, the resistance of the window before it where the bar's high reaches it, NaN elsewhere (no resistance: the
 * window is too short, flat or without volume; or the high is below it). Exactly the histogram's value (DESIGN.md
 * section 5, step 4) wherever it is finite, so for every breakout_buffer >= 0 the signal at i is
 * `high[i] >= out[i] * (1 + breakout_buffer)`, bit for bit what `signalsInto` decides. `breakout_buffer` is not read.
 */
export function reachableResistancesInto(candles: Candles, params: VolumeZoneBreakoutParams, out: Float64Array): void {
  out.fill(NaN, 0, candles.length);
  // a resistance brackets its bin with two comparisons: two sets of carried bounds
  scanCandles(candles, params, CARRIED_SLOTS, (rule, scratch, loadedBars, base) => {
    resistancesOfChunk(rule, scratch, loadedBars, candles.high, base, out);
    return 0;
  });
}

/** The signals of one breakout_buffer from `reachableResistancesInto`'s resistances; returns their number. */
export function signalsFromResistancesInto(resistances: Float64Array, candles: Candles, breakoutBuffer: number, out: Uint8Array): number {
  const high = candles.high;
  const breakoutFactor = 1 + breakoutBuffer;
  let signalCount = 0;
  // a NaN resistance compares false: no signal
  for (let i = 0; i < candles.length; i++) {
    const isSignal = high[i] >= resistances[i] * breakoutFactor ? 1 : 0;
    out[i] = isSignal;
    signalCount += isSignal;
  }
  return signalCount;
}

/**
 * Signal parameter sets per (volume_window, top_percentile, num_bins, include_wicks) from which one resistance scan
 * is cheaper than `signalsInto` for each: measured by scripts/bench-sweep-engine.ts (the resistance scan costs about
 * RESISTANCE_SCAN_BREAK_EVEN - 1 signal passes).
 */
export const RESISTANCE_SCAN_BREAK_EVEN = 3;

/** Sweeps share one resistance scan between combinations that differ only in breakout_buffer. */
const resistanceSharing: SharedSignals<VolumeZoneBreakoutParams, Float64Array> = {
  sharedParams: ['volume_window', 'top_percentile', 'num_bins', 'include_wicks'],
  prepare(candles, params, signalSetCount) {
    if (signalSetCount < RESISTANCE_SCAN_BREAK_EVEN) return null;
    const resistances = new Float64Array(candles.length);
    reachableResistancesInto(candles, params, resistances);
    return resistances;
  },
  signalsInto: (resistances, candles, params, out) => signalsFromResistancesInto(resistances, candles, params.breakout_buffer, out),
};

export const volumeZoneBreakout = defineStrategy({
  id: 'volume_zone_breakout',
  description:
    'Breakout above the high-volume price zone of the previous volume_window bars: the volume profile (num_bins price bins) ' +
    'is read from the top down until top_percentile of the volume is reached; a bar whose high clears that zone by ' +
    'breakout_buffer is an entry.',
  paramsSchema,
  signalsInto: volumeZoneBreakoutSignalsInto,
  warmupBars: (params) => params.volume_window,
  sharedSignals: resistanceSharing,
});
