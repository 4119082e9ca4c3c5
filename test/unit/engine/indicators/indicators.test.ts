import fc from 'fast-check';
import {
  atrInto,
  bollinger,
  bollingerInto,
  crossAbove,
  crossAboveInto,
  crossAboveLevel,
  crossAboveLevelInto,
  crossBelow,
  crossBelowLevel,
  ema,
  emaInto,
  rollingMax,
  rollingMaxInto,
  rollingMin,
  rsi,
  rsiInto,
  sma,
  smaInto,
} from '../../../../src/engine/indicators';
import { bruteBollinger, bruteCross, bruteEma, bruteRollingMax, bruteRollingMin, bruteSma } from './bruteForce';

/** Element by element within `tolerance` relative to max(1, |expected|); NaN only against NaN. */
function expectSeries(actual: ArrayLike<number>, expected: number[], tolerance = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((want, i) => {
    const got = actual[i];
    const matches = Number.isNaN(want) ? Number.isNaN(got) : Math.abs(got - want) <= tolerance * Math.max(1, Math.abs(want));
    if (!matches) throw new Error(`[${i}]: got ${got}, expected ${want}`);
  });
}

const values = Float64Array.from([1, 2, 3, 4, 5, 4, 3]);

describe('indicators on a tiny series, by hand', () => {
  it('sma: the mean of the last period values', () => {
    expectSeries(sma(values, 3), [NaN, NaN, 2, 3, 4, 13 / 3, 4]);
  });

  it('ema: seeded with the first value, alpha 2 / (period + 1), hidden for period - 1 bars', () => {
    // alpha 0.5: 1, 1.5, 2.25, 3.125, 4.0625, 4.03125, 3.515625
    expectSeries(ema(values, 3), [NaN, NaN, 2.25, 3.125, 4.0625, 4.03125, 3.515625], 0);
  });

  it("rsi: Wilder's averages of gains and losses, 100 without losses", () => {
    // period 2: gains 1 1 | 1 1 then losses; averages 1/0, 1/0, 1/0, 0.5/0.5, 0.25/0.75
    expectSeries(rsi(values, 2), [NaN, NaN, 100, 100, 100, 50, 100 - 100 / (0.25 / 0.75 + 1)]);
  });

  it("atr: Wilder's average of the true range, high - low on the first bar", () => {
    const high = Float64Array.from([2, 3, 4, 4]);
    const low = Float64Array.from([1, 1, 2, 3]);
    const close = Float64Array.from([1.5, 2, 3, 3.5]);
    // true ranges 1, 2 (3 - 1), 2 (4 - 2), 1 (4 - 3); ATR(2): 1.5, then 1.5 + (2 - 1.5) / 2, then 1.75 + (1 - 1.75) / 2
    const out = new Float64Array(4);
    expect(atrInto(high, low, close, 2, out)).toBe(3);
    expectSeries(out, [NaN, 1.5, 1.75, 1.375], 0);
  });

  it('bollinger: the mean ± multiplier population standard deviations', () => {
    const bands = bollinger(values, 3, 2);
    const spread = (variance: number) => 2 * Math.sqrt(variance);
    // windows 1 2 3 | 2 3 4 | 3 4 5 (variance 2/3), 4 5 4 (mean 13/3, variance 2/9), 5 4 3 (2/3)
    expectSeries(bands.middle, [NaN, NaN, 2, 3, 4, 13 / 3, 4]);
    expectSeries(bands.upper, [
      NaN,
      NaN,
      2 + spread(2 / 3),
      3 + spread(2 / 3),
      4 + spread(2 / 3),
      13 / 3 + spread(2 / 9),
      4 + spread(2 / 3),
    ]);
    expectSeries(bands.lower, [
      NaN,
      NaN,
      2 - spread(2 / 3),
      3 - spread(2 / 3),
      4 - spread(2 / 3),
      13 / 3 - spread(2 / 9),
      4 - spread(2 / 3),
    ]);
  });

  it('rolling max and min: the current value included', () => {
    expectSeries(rollingMax(values, 3), [NaN, NaN, 3, 4, 5, 5, 5], 0);
    expectSeries(rollingMin(values, 3), [NaN, NaN, 1, 2, 3, 4, 3], 0);
  });

  it('crossovers: at or beyond before, strictly past now', () => {
    const a = Float64Array.from([1, 2, 3, 2, 1, 1, 2]);
    const b = Float64Array.from([2, 2, 2, 2, 2, 1, 1]);
    expect(Array.from(crossAbove(a, b))).toEqual([0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(crossBelow(a, b))).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(crossAboveLevel(a, 2.5))).toEqual([0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(crossBelowLevel(a, 2.5))).toEqual([0, 0, 0, 1, 0, 0, 0]);
    const out = new Uint8Array(10).fill(7);
    expect(crossAboveInto(a, b, out)).toBe(2);
    // bars past a.length are left alone
    expect(Array.from(out)).toEqual([0, 0, 1, 0, 0, 0, 1, 7, 7, 7]);
  });
});

describe('indicators with NaN (warm-up) and short inputs', () => {
  it('chain: a window or an average starts after the NaN values of the input', () => {
    const warmedUp = Float64Array.from([NaN, NaN, 1, 2, 3, 4]);
    expectSeries(sma(warmedUp, 2), [NaN, NaN, NaN, 1.5, 2.5, 3.5], 0);
    expectSeries(rollingMax(warmedUp, 2), [NaN, NaN, NaN, 2, 3, 4], 0);
    // ema(2), alpha 2/3, seeded at bar 2 with 1: 2 * 2/3 + 1/3 = 5/3, then 3 * 2/3 + 5/9 = 23/9, 4 * 2/3 + 23/27 = 95/27
    expectSeries(ema(warmedUp, 2), [NaN, NaN, NaN, 5 / 3, 23 / 9, 95 / 27]);
    expectSeries(rsi(warmedUp, 2), [NaN, NaN, NaN, NaN, 100, 100], 0);
    // a NaN after the start of an average ends it
    expectSeries(ema(Float64Array.from([1, NaN, 2]), 1), [1, NaN, NaN], 0);
    // sma of an rsi: starts where the rsi does
    const chained = sma(rsi(values, 2), 2);
    expectSeries(chained, [NaN, NaN, NaN, 100, 100, 75, 37.5]);
  });

  it('makes every window that holds a NaN NaN, and counts the values it wrote', () => {
    const gappy = Float64Array.from([1, 2, NaN, 4, 5, 6]);
    const out = new Float64Array(6);
    expect(smaInto(gappy, 2, out)).toBe(3);
    expectSeries(out, [NaN, 1.5, NaN, NaN, 4.5, 5.5], 0);
    expect(rollingMaxInto(gappy, 2, out)).toBe(3);
    expectSeries(out, [NaN, 2, NaN, NaN, 5, 6], 0);
  });

  it('writes only NaN when the period is longer than the input, and nothing for an empty one', () => {
    const out = new Float64Array(7);
    expect(smaInto(values, 8, out)).toBe(0);
    expect(emaInto(values, 8, out)).toBe(0);
    expect(rsiInto(values, 7, out)).toBe(0);
    expect(Array.from(out).every(Number.isNaN)).toBe(true);
    expect(sma(new Float64Array(0), 3).length).toBe(0);
    expect(Array.from(crossAbove(new Float64Array(0), new Float64Array(0)))).toEqual([]);
  });
});

describe('indicator arguments', () => {
  it('refuses a bad period, a short output, an output over an input, and says what it got', () => {
    expect(() => sma(values, 0)).toThrow('smaInto: period got 0, expected an integer >= 1');
    expect(() => ema(values, 2.5)).toThrow('emaInto: period got 2.5, expected an integer >= 1');
    expect(() => rsiInto(values, 2, new Float64Array(3))).toThrow(
      'rsiInto: out has 3 values, expected at least 7 (the length of the first input)',
    );
    expect(() => smaInto(values, 2, values)).toThrow('smaInto: an output shares memory with an input, expected separate arrays');
    expect(() => smaInto(values.subarray(0, 4), 2, values.subarray(3))).toThrow('shares memory');
    expect(() => atrInto(values, values.subarray(1), values, 2, new Float64Array(7))).toThrow(
      'atrInto: low has 6 values, expected at least 7',
    );
    const out = () => new Float64Array(7);
    expect(() => bollingerInto(values, 3, -1, out(), out(), out())).toThrow(
      'bollingerInto: multiplier got -1, expected a finite number >= 0',
    );
    const shared = out();
    expect(() => bollingerInto(values, 3, 2, out(), shared, shared)).toThrow('shares memory');
    expect(() => crossAboveInto(values, values.subarray(1), new Uint8Array(7))).toThrow(
      'crossAboveInto: b has 6 values, expected at least 7',
    );
    expect(() => crossAboveLevelInto(values, NaN, new Uint8Array(7))).toThrow('crossAboveLevelInto: level got NaN, expected a number');
  });
});

/** Random series with NaN runs (warm-ups and gaps), whole numbers (ties) or doubles. */
const seriesWithGaps = fc.array(
  fc.oneof(
    { arbitrary: fc.double({ min: 1, max: 1000, noNaN: true }), weight: 6 },
    { arbitrary: fc.integer({ min: 1, max: 5 }), weight: 3 },
    { arbitrary: fc.constant(NaN), weight: 1 },
  ),
  { maxLength: 120 },
);
const period = fc.integer({ min: 1, max: 15 });

describe('indicators against brute force on random series', () => {
  it('sma, rolling max and min, and bollinger equal their window-by-window definitions', () => {
    fc.assert(
      fc.property(seriesWithGaps, period, fc.constantFrom(0, 1, 2), (series, windowLength, multiplier) => {
        const input = Float64Array.from(series);
        expectSeries(sma(input, windowLength), bruteSma(series, windowLength), 1e-12);
        expectSeries(rollingMax(input, windowLength), bruteRollingMax(series, windowLength), 0);
        expectSeries(rollingMin(input, windowLength), bruteRollingMin(series, windowLength), 0);
        const bands = bollinger(input, windowLength, multiplier);
        const expected = bruteBollinger(series, windowLength, multiplier);
        expectSeries(
          bands.middle,
          expected.map(([middle]) => middle),
          1e-12,
        );
        expectSeries(
          bands.upper,
          expected.map(([, upper]) => upper),
          1e-9,
        );
        expectSeries(
          bands.lower,
          expected.map(([, , lower]) => lower),
          1e-9,
        );
      }),
    );
  });

  it('ema equals its recursive definition from the first value', () => {
    fc.assert(
      fc.property(seriesWithGaps, period, (series, windowLength) => {
        // leading NaN values only: one after the start ends the average (a literal case above)
        const firstValue = series.findIndex((value) => !Number.isNaN(value));
        const clean = series.map((value, i) => (firstValue < 0 || i < firstValue ? NaN : Number.isNaN(value) ? 1 : value));
        expectSeries(ema(Float64Array.from(clean), windowLength), bruteEma(clean, windowLength), 1e-12);
      }),
    );
  });

  it('crossovers equal their definition, including ties and NaN', () => {
    fc.assert(
      fc.property(seriesWithGaps, seriesWithGaps, (first, second) => {
        const length = Math.min(first.length, second.length);
        const [a, b] = [first.slice(0, length), second.slice(0, length)];
        expect(Array.from(crossAbove(Float64Array.from(a), Float64Array.from(b)))).toEqual(bruteCross(a, b, 'above'));
        expect(Array.from(crossBelow(Float64Array.from(a), Float64Array.from(b)))).toEqual(bruteCross(a, b, 'below'));
        const level = b.length > 0 && !Number.isNaN(b[0]) ? b[0] : 2;
        expect(Array.from(crossAboveLevel(Float64Array.from(a), level))).toEqual(
          bruteCross(
            a,
            a.map(() => level),
            'above',
          ),
        );
        expect(Array.from(crossBelowLevel(Float64Array.from(a), level))).toEqual(
          bruteCross(
            a,
            a.map(() => level),
            'below',
          ),
        );
      }),
    );
  });

  it('keep the running sums exact over a long series at a high price level', () => {
    // 200,000 bars of a random walk around 50,000: compare every 997th bar with the plain window computation
    let price = 50_000;
    let state = 7;
    const next = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.01;
    const series = Array.from({ length: 200_000 }, () => (price *= 1 + next()));
    const input = Float64Array.from(series);
    const averages = sma(input, 50);
    const bands = bollinger(input, 50, 2);
    for (let i = 49; i < series.length; i += 997) {
      const window = series.slice(i - 49, i + 1);
      expectSeries([averages[i], bands.upper[i]], [bruteSma(window, 50)[49], bruteBollinger(window, 50, 2)[49][1]], 1e-12);
    }
  });
});
