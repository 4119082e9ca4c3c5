import fc from 'fast-check';
import { volumeLongCandle } from '../../../src/engine/strategies/volumeLongCandle';
import type { Bar, LongCandleParams } from './reference';
import { referenceLongCandleSignals } from './reference';
import { bar, candlesFromBars, marketBars, signalsOf, walkBars } from './helpers';

const signals = (bars: Bar[], overrides: Partial<LongCandleParams> = {}) => signalsOf(volumeLongCandle, bars, overrides);

/*
 * Hand-checked: vol_ma_window 3, vol_multiplier 1.5, body_pct 0.02 (wicks must stay under 4% of the open).
 * bar 0: ma 100, 100 < 150                                         -> 0
 * bar 1: ma 100, 100 < 150                                         -> 0
 * bar 2: ma (100+100+400)/3 = 200, 400 >= 300; body 3%, wicks 1% and 0.5%           -> 1
 * bar 3: ma (100+400+600)/3 = 366.7, 600 >= 550; body 3/103 = 2.9%, wicks 0.97%, 0.49% -> 1
 * bar 4: volume passes (2000 >= 1500) but body 0.4/106 = 0.38% < 2%                  -> 0
 * bar 5: body 3%, upper wick (109-103)/100 = 6% >= 4%                                 -> 0
 * bar 6: body 3%, lower wick (100-95)/100 = 5% >= 4%                                  -> 0
 * bar 7: a falling candle                                                             -> 0
 */
const handChecked: Bar[] = [
  bar([100, 103, 99.5, 102.5, 100]),
  bar([100, 101, 99, 100.5, 100]),
  bar([100, 104, 99.5, 103, 400]),
  bar([103, 107, 102.5, 106, 600]),
  bar([106, 106.5, 100, 106.4, 2000]),
  bar([100, 109, 100, 103, 5000]),
  bar([100, 103, 95, 103, 9000]),
  bar([103, 103.5, 99, 100, 20000]),
];

describe('volume_long_candle', () => {
  it('signals the hand-checked long candles on volume spikes', () => {
    expect(signals(handChecked, { vol_ma_window: 3 })).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('averages over the bars that exist before the window is full', () => {
    // bar 1: ma = (10 + 40) / 2 = 25, 40 >= 37.5 -> 1 (a full 20-bar window is not waited for)
    expect(signals([bar([100, 101, 99.9, 100.5, 10]), bar([100, 103.5, 100, 103, 40])])).toEqual([0, 1]);
  });

  it('lets a zero-volume bar over a zero-volume average pass the volume test (0 >= 0), as DESIGN.md writes it', () => {
    const silent = [bar([100, 100, 100, 100, 0]), bar([100, 103.5, 99.5, 103, 0])];
    expect(signals(silent)).toEqual([0, 1]);
  });

  it('declares every parameter with a default, a range and a description', () => {
    expect(volumeLongCandle.paramsSchema.parse({})).toEqual({
      vol_ma_window: 20,
      vol_multiplier: 1.5,
      body_pct: 0.02,
      hold_period_bars: 1,
    });
    for (const field of Object.values(volumeLongCandle.paramsSchema.shape)) expect(field.description).toBeTruthy();
    for (const bad of [{ vol_ma_window: 0 }, { vol_multiplier: 0 }, { body_pct: 0 }, { body_pct: 1 }, { vol_ma_window: 2.5 }]) {
      expect(volumeLongCandle.paramsSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('matches the from-scratch average of the reference on long series (integer volumes keep both sums exact)', () => {
    const candle = fc
      .record({
        open: fc.integer({ min: 900, max: 1100 }),
        rise: fc.integer({ min: -40, max: 60 }),
        wickUp: fc.integer({ min: 0, max: 30 }),
        wickDown: fc.integer({ min: 0, max: 30 }),
        volume: fc.integer({ min: 0, max: 1000 }),
      })
      .map(({ open, rise, wickUp, wickDown, volume }): Bar => {
        const close = open + rise;
        return { open, close, high: Math.max(open, close) + wickUp, low: Math.min(open, close) - wickDown, volume };
      });
    const params = fc.record({
      vol_ma_window: fc.integer({ min: 1, max: 30 }),
      vol_multiplier: fc.oneof(fc.constantFrom(1, 1.5, 2), fc.double({ min: 0.1, max: 3, noNaN: true })),
      body_pct: fc.oneof(fc.constantFrom(0.01, 0.02), fc.double({ min: 0.001, max: 0.05, noNaN: true })),
    });
    fc.assert(
      fc.property(fc.array(candle, { maxLength: 300 }), params, (bars, chosen) => {
        expect(signals(bars, chosen)).toEqual(referenceLongCandleSignals(bars, chosen));
      }),
      { numRuns: 300 },
    );
  });
});

describe('volume_long_candle averages shared between multipliers and body sizes', () => {
  it('give the signals of signalsInto for every (vol_multiplier, body_pct), count included', () => {
    const parameterSets = fc.array(
      fc.record({
        vol_multiplier: fc.oneof(fc.constantFrom(1, 1.5), fc.double({ min: 0.1, max: 3, noNaN: true })),
        body_pct: fc.oneof(fc.constantFrom(0.01, 0.02), fc.double({ min: 0.001, max: 0.05, noNaN: true })),
      }),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(walkBars(200), fc.integer({ min: 1, max: 40 }), parameterSets, (bars, window, sets) => {
        const candles = candlesFromBars(bars);
        const sharing = volumeLongCandle.sharedSignals!;
        const prepared = sharing.prepare(candles, volumeLongCandle.paramsSchema.parse({ vol_ma_window: window }), sets.length);
        for (const set of sets) {
          const params = volumeLongCandle.paramsSchema.parse({ vol_ma_window: window, ...set });
          const direct = signals(bars, params);
          const out = new Uint8Array(bars.length).fill(7);
          expect(sharing.signalsInto(prepared, candles, params, out)).toBe(direct.reduce((sum, value) => sum + value, 0));
          expect(Array.from(out)).toEqual(direct);
        }
      }),
      { numRuns: 150 },
    );
    expect(volumeLongCandle.sharedSignals!.sharedParams).toEqual(['vol_ma_window']);
  });

  it('are the averages signalsInto computes chunk by chunk, past its 4,096-bar chunks', () => {
    // whole-unit volumes keep every running sum exact, so the reference's from-scratch averages agree too
    const [bars] = fc.sample(marketBars(9000), { seed: 3, numRuns: 1 });
    const candles = candlesFromBars(bars);
    for (const window of [1, 7, 20, 300, 5000]) {
      const params = volumeLongCandle.paramsSchema.parse({ vol_ma_window: window, vol_multiplier: 1.2, body_pct: 0.004 });
      const direct = signals(bars, params);
      expect(direct.filter((signal) => signal === 1).length).toBeGreaterThan(20);
      const shared = new Uint8Array(bars.length);
      const prepared = volumeLongCandle.sharedSignals!.prepare(candles, params, 1);
      volumeLongCandle.sharedSignals!.signalsInto(prepared, candles, params, shared);
      expect(Array.from(shared)).toEqual(direct);
      if (window <= 300) expect(direct).toEqual(referenceLongCandleSignals(bars, params));
    }
  });

  it('need vol_ma_window - 1 bars of warm-up', () => {
    expect(volumeLongCandle.warmupBars!(volumeLongCandle.paramsSchema.parse({ vol_ma_window: 20 }))).toBe(19);
  });
});
