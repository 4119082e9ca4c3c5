import fc from 'fast-check';
import {
  RESISTANCE_SCAN_BREAK_EVEN,
  reachableResistancesInto,
  signalsFromResistancesInto,
  volumeZoneBreakout,
} from '../../../src/engine/strategies/volumeZoneBreakout';
import type { Bar, ZoneParams } from './reference';
import { referenceResistance, referenceZoneSignals } from './reference';
import goldenBars from './golden/candles-64x1d.json';
import { bar, candlesFromBars, gridBar, signalsOf, walkBars } from './helpers';

const signals = (bars: Bar[], overrides: Partial<ZoneParams> = {}) => signalsOf(volumeZoneBreakout, bars, overrides);

/*
 * Hand-checked: window 4, 4 bins, top_percentile 0.5, breakout_buffer 0.01, wicks included.
 *
 * Bar 4, window = bars 0..3, range [10, 14], bins of width 1 (edges 10 11 12 13 14):
 *   bar 0 [10,12] v100 -> bins 0,1: 50 50        bar 2 [12,14] v200 -> bins 2,3: 100 100
 *   bar 1 [11,13] v100 -> bins 1,2: 50 50        bar 3 [10,14] v400 -> 100 in each bin
 *   bins = [150, 200, 250, 200], total 800, target 0.5 * 800 = 400
 *   from the top: 200 < 400, 200 + 250 = 450 >= 400 -> bin 2 -> resistance = 12
 *   high[4] = 12.5 >= 12 * 1.01 = 12.12 -> signal
 * Bar 5, window = bars 1..4, bar 4 [11.5,12.5] v300 adds 150 to bins 1 and 2:
 *   bins = [100, 300, 400, 200], total 1000, target 500; 200, then 600 >= 500 -> bin 2 -> resistance 12
 *   high[5] = 12.1 < 12.12 -> no signal
 * Without wicks (bodies), bar 4's window: bodies [11,11.5] [12,12.5] [13,13.5] [12,13], range [11, 13.5],
 *   width 0.625, edges 11 11.625 12.25 12.875 13.5; bins = [100, 50+100, 50+250, 200+50] = [100, 150, 300, 250],
 *   total 800, target 400: 250, then 550 -> bin 2 -> resistance 12.25; 12.5 >= 12.3725 -> signal.
 *   Bar 5 (bodies [12,12.5] [13,13.5] [12,13] [12,12.2], range [12, 13.5], width 0.375): bins ~ [525, 175, 150, 150],
 *   target 500: 150, 300, 475, 1000 -> bin 0 -> resistance 12; 12.1 < 12.12 -> no signal.
 */
const handChecked: Bar[] = [
  bar([11, 12, 10, 11.5, 100]),
  bar([12, 13, 11, 12.5, 100]),
  bar([13, 14, 12, 13.5, 200]),
  bar([12, 14, 10, 13, 400]),
  bar([12, 12.5, 11.5, 12.2, 300]),
  bar([12, 12.1, 11.9, 12, 100]),
];
const handParams = { volume_window: 4, num_bins: 4, top_percentile: 0.5, breakout_buffer: 0.01 };

describe('volume_zone_breakout', () => {
  it('finds the hand-computed resistance and signals of a small series', () => {
    expect(referenceResistance(handChecked, 4, { ...handParams, include_wicks: true })).toBe(12);
    expect(referenceResistance(handChecked, 5, { ...handParams, include_wicks: true })).toBe(12);
    expect(signals(handChecked, handParams)).toEqual([0, 0, 0, 0, 1, 0]);
  });

  it('uses candle bodies instead of wicks when include_wicks is false', () => {
    expect(referenceResistance(handChecked, 4, { ...handParams, include_wicks: false })).toBe(12.25);
    expect(referenceResistance(handChecked, 5, { ...handParams, include_wicks: false })).toBe(12);
    expect(signals(handChecked, { ...handParams, include_wicks: false })).toEqual([0, 0, 0, 0, 1, 0]);
  });

  it('gives no signal over a flat window, whatever the next high', () => {
    const flat = Array.from({ length: 5 }, () => bar([10, 10, 10, 10, 50]));
    expect(signals([...flat, bar([10, 30, 10, 25, 500])], { volume_window: 5 })).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('gives no signal when the window holds no volume', () => {
    const silent = [bar([10, 11, 9, 10, 0]), bar([10, 12, 9, 11, 0]), bar([11, 12, 10, 11, 0])];
    expect(signals([...silent, bar([11, 20, 11, 19, 100])], { volume_window: 3 })).toEqual([0, 0, 0, 0]);
  });

  it('gives no signal when there are no more bars than the window', () => {
    expect(signals(handChecked, { ...handParams, volume_window: 6 })).toEqual([0, 0, 0, 0, 0, 0]);
    expect(signals([], handParams)).toEqual([]);
  });

  it('puts a zero-height bar at the top of the range into the last bin', () => {
    // window: [10, 12] v10 and a doji at 12 with v90; 2 bins [10, 11) [11, 12]: bins = [5, 95]
    // top_percentile 0.9: target 90 <= 95 -> bin 1 -> resistance 11
    const bars = [bar([10, 12, 10, 12, 10]), bar([12, 12, 12, 12, 90]), bar([11, 11.2, 11, 11.1, 1])];
    const params = { volume_window: 2, num_bins: 2, top_percentile: 0.9, breakout_buffer: 0.01 };
    expect(referenceResistance(bars, 2, { ...params, include_wicks: true })).toBe(11);
    expect(signals(bars, params)).toEqual([0, 0, 1]);
  });

  it('declares every parameter with a default, a range and a description', () => {
    expect(volumeZoneBreakout.paramsSchema.parse({})).toEqual({
      volume_window: 60,
      top_percentile: 0.2,
      breakout_buffer: 0.01,
      hold_period_bars: 1,
      num_bins: 20,
      include_wicks: true,
    });
    for (const field of Object.values(volumeZoneBreakout.paramsSchema.shape)) expect(field.description).toBeTruthy();
    for (const bad of [
      { volume_window: 1 },
      { top_percentile: 0 },
      { top_percentile: 1.5 },
      { num_bins: 0 },
      { hold_period_bars: -1 },
      { hold_period_bars: 1.5 },
      { breakout_buffer: -0.1 },
    ]) {
      expect(volumeZoneBreakout.paramsSchema.safeParse(bad).success).toBe(false);
    }
  });
});

const zoneParams = fc.record({
  volume_window: fc.integer({ min: 2, max: 24 }),
  num_bins: fc.integer({ min: 1, max: 30 }),
  top_percentile: fc.oneof(fc.constantFrom(0.1, 0.2, 0.25, 0.5, 1), fc.double({ min: 0.001, max: 1, noNaN: true })),
  breakout_buffer: fc.oneof(fc.constant(0), fc.constantFrom(0.01, 0.05), fc.double({ min: 0, max: 0.1, noNaN: true })),
  include_wicks: fc.boolean(),
});

describe('volume_zone_breakout against the brute-force histogram', () => {
  it('matches the reference bar for bar on a price grid full of ties', () => {
    fc.assert(
      fc.property(fc.array(gridBar, { minLength: 0, maxLength: 80 }), zoneParams, (bars, params) => {
        expect(signals(bars, params)).toEqual(referenceZoneSignals(bars, params));
      }),
      { numRuns: 400 },
    );
  });

  it('matches the reference bar for bar on random walks', () => {
    fc.assert(
      fc.property(walkBars(120), zoneParams, (bars, params) => {
        expect(signals(bars, params)).toEqual(referenceZoneSignals(bars, params));
      }),
      { numRuns: 150 },
    );
  });

  it('matches the reference with its default parameters on a long walk', () => {
    fc.assert(
      fc.property(walkBars(400), (bars) => {
        const defaults = volumeZoneBreakout.paramsSchema.parse({});
        expect(signals(bars)).toEqual(referenceZoneSignals(bars, defaults));
      }),
      { numRuns: 5 },
    );
  });
});

describe('volume_zone_breakout on long series', () => {
  it('decides bars past the 16,384-bar chunk boundary as it decides them in a short series', () => {
    // the golden 64 bars tiled, each copy scaled a little, so windows keep moving
    const bars = Array.from({ length: 20_000 }, (_, i): Bar => {
      const scale = 1 + 0.37 * Math.sin(i / 640);
      const { open, high, low, close, volume } = goldenBars[i % goldenBars.length];
      return { open: open * scale, high: high * scale, low: low * scale, close: close * scale, volume: volume * (1 + (i % 7) / 10) };
    });
    const pieceStart = 18_500;
    for (const includeWicks of [true, false]) {
      const params = { volume_window: 25, num_bins: 12, top_percentile: 0.3, breakout_buffer: 0.005, include_wicks: includeWicks };
      // a signal depends only on its bar and the window before it, so the piece must agree from its window on
      const piece = bars.slice(pieceStart);
      const pieceSignals = signals(piece, params);
      expect(
        signals(bars, params)
          .slice(pieceStart + 25)
          .join(''),
      ).toBe(pieceSignals.slice(25).join(''));
      expect(pieceSignals.join('')).toBe(referenceZoneSignals(piece, params).join(''));
    }
  });
});

/** The reference's resistance where the bar's high reaches it, NaN elsewhere: what `reachableResistancesInto` promises. */
function referenceReachableResistances(bars: Bar[], params: ZoneParams): number[] {
  return bars.map((bar, i) => {
    const resistance = i < params.volume_window ? null : referenceResistance(bars, i, params);
    return resistance !== null && bar.high >= resistance ? resistance : NaN;
  });
}

/** Resistances, then the signals of each buffer from them, against the reference and against signalsInto. */
function expectSharedPathMatches(bars: Bar[], params: ZoneParams, buffers: number[]): void {
  const candles = candlesFromBars(bars);
  const resistances = new Float64Array(bars.length);
  reachableResistancesInto(candles, { ...params, hold_period_bars: 1 }, resistances);
  expect(Array.from(resistances)).toEqual(referenceReachableResistances(bars, params));
  const prepared = volumeZoneBreakout.sharedSignals!.prepare(candles, { ...params, hold_period_bars: 1 }, RESISTANCE_SCAN_BREAK_EVEN);
  expect(prepared).not.toBeNull();
  for (const breakoutBuffer of buffers) {
    const direct = signals(bars, { ...params, breakout_buffer: breakoutBuffer });
    const out = new Uint8Array(bars.length).fill(7);
    const count = signalsFromResistancesInto(resistances, candles, breakoutBuffer, out);
    expect(Array.from(out)).toEqual(direct);
    expect(count).toBe(direct.reduce((sum, value) => sum + value, 0));
    const shared = new Uint8Array(bars.length).fill(7);
    const sharedParams = { ...params, breakout_buffer: breakoutBuffer, hold_period_bars: 1 };
    expect(volumeZoneBreakout.sharedSignals!.signalsInto(prepared, candles, sharedParams, shared)).toBe(count);
    expect(Array.from(shared)).toEqual(direct);
  }
}

const buffers = fc.array(fc.oneof(fc.constantFrom(0, 0.01, 0.05, 1), fc.double({ min: 0, max: 0.2, noNaN: true })), {
  minLength: 1,
  maxLength: 5,
});

describe('volume_zone_breakout resistances shared between breakout buffers', () => {
  it('are the hand-computed resistances where the high reaches them', () => {
    const resistances = new Float64Array(handChecked.length);
    const params = volumeZoneBreakout.paramsSchema.parse(handParams);
    reachableResistancesInto(candlesFromBars(handChecked), params, resistances);
    // bar 4: resistance 12, high 12.5; bar 5: resistance 12, high 12.1
    expect(Array.from(resistances)).toEqual([NaN, NaN, NaN, NaN, 12, 12]);
  });

  it('match the histogram and give the signals of signalsInto for every buffer, on a price grid full of ties and zero volumes', () => {
    fc.assert(
      fc.property(fc.array(gridBar, { minLength: 0, maxLength: 80 }), zoneParams, buffers, (bars, params, bufferValues) => {
        expectSharedPathMatches(bars, params, bufferValues);
      }),
      { numRuns: 300 },
    );
  });

  it('match the histogram and give the signals of signalsInto for every buffer, on random walks', () => {
    fc.assert(
      fc.property(walkBars(150), zoneParams, buffers, (bars, params, bufferValues) => {
        expectSharedPathMatches(bars, params, bufferValues);
      }),
      { numRuns: 100 },
    );
  });

  it('match past the 16,384-bar chunk boundary', () => {
    const bars = Array.from({ length: 17_000 }, (_, i): Bar => {
      const scale = 1 + 0.37 * Math.sin(i / 640);
      const { open, high, low, close, volume } = goldenBars[i % goldenBars.length];
      return { open: open * scale, high: high * scale, low: low * scale, close: close * scale, volume: volume * (1 + (i % 7) / 10) };
    });
    const params = { volume_window: 25, num_bins: 12, top_percentile: 0.3, breakout_buffer: 0, include_wicks: true };
    const resistances = new Float64Array(bars.length);
    reachableResistancesInto(candlesFromBars(bars), { ...params, hold_period_bars: 1 }, resistances);
    const expected = referenceReachableResistances(bars.slice(16_000), params);
    expect(Array.from(resistances.subarray(16_000 + 25))).toEqual(expected.slice(25));
  });

  it('are not prepared for fewer parameter sets than the break-even', () => {
    const params = volumeZoneBreakout.paramsSchema.parse({});
    expect(volumeZoneBreakout.sharedSignals!.prepare(candlesFromBars(handChecked), params, RESISTANCE_SCAN_BREAK_EVEN - 1)).toBeNull();
    expect(volumeZoneBreakout.sharedSignals!.sharedParams).toEqual(['volume_window', 'top_percentile', 'num_bins', 'include_wicks']);
  });
});
