import fc from 'fast-check';
import {
  comboIdRange,
  comboParams,
  comboParamsInto,
  comboValueIndicesInto,
  gridLayout,
  gridSize,
  mulberry32,
  sampleComboIds,
} from '../../../../src/engine/sweep';

describe('grid order and combo ids', () => {
  it('sorts parameters by name and varies the last one fastest: a 2 x 3 grid written out', () => {
    // given in the "wrong" order: hold_period_bars sorts before volume_window
    const layout = gridLayout({ volume_window: [20, 40, 60], hold_period_bars: [1, 5] });
    expect(layout.names).toEqual(['hold_period_bars', 'volume_window']);
    expect(layout.size).toBe(6);
    expect(Array.from({ length: 6 }, (_, comboId) => comboParams(layout, comboId))).toEqual([
      { hold_period_bars: 1, volume_window: 20 },
      { hold_period_bars: 1, volume_window: 40 },
      { hold_period_bars: 1, volume_window: 60 },
      { hold_period_bars: 5, volume_window: 20 },
      { hold_period_bars: 5, volume_window: 40 },
      { hold_period_bars: 5, volume_window: 60 },
    ]);
  });

  it('keeps the values in the order given, booleans, strings and null included', () => {
    const layout = gridLayout({ include_wicks: [false, true], direction: ['short', 'long'], stop_loss_pct: [null, 2] });
    expect(layout.names).toEqual(['direction', 'include_wicks', 'stop_loss_pct']);
    expect(comboParams(layout, 0)).toEqual({ direction: 'short', include_wicks: false, stop_loss_pct: null });
    expect(comboParams(layout, 5)).toEqual({ direction: 'long', include_wicks: false, stop_loss_pct: 2 });
    const indices = new Int32Array(3);
    comboValueIndicesInto(layout, 7, indices);
    expect(Array.from(indices)).toEqual([1, 1, 1]);
  });

  it('sorts names by UTF-16 code units, capitals before lower case', () => {
    expect(gridLayout({ b: [1], a: [1], B: [1], a_b: [1], ab: [1] }).names).toEqual(['B', 'a', 'a_b', 'ab', 'b']);
  });

  it('counts the fixed parameters alone as one combination, and refuses an empty value list', () => {
    expect(gridSize({})).toBe(1);
    expect(comboParams(gridLayout({}), 0)).toEqual({});
    expect(gridSize({ a: [1, 2, 3], b: [1, 2], c: [true, false] })).toBe(12);
    expect(gridSize({ a: Array.from({ length: 1000 }, (_, i) => i), b: Array.from({ length: 1000 }, (_, i) => i) })).toBe(1_000_000);
    expect(() => gridSize({ volume_window: [] })).toThrow('grid.volume_window: got [], expected a non-empty list of values');
  });

  it('sets the swept values on an object of fixed parameters without touching the others', () => {
    const layout = gridLayout({ fee_rate: [0, 0.001], hold_period_bars: [1, 2, 3] });
    const params: Record<string, unknown> = { fee_rate: 0.0005, volume_window: 60 };
    comboParamsInto(layout, 4, params);
    expect(params).toEqual({ fee_rate: 0.001, hold_period_bars: 2, volume_window: 60 });
  });

  it('refuses combo ids outside the grid', () => {
    const layout = gridLayout({ a: [1, 2] });
    for (const bad of [-1, 2, 0.5, NaN])
      expect(() => comboParams(layout, bad)).toThrow(`combo id: got ${bad}, expected an integer in [0, 2)`);
  });

  it('lists a range of combo ids', () => {
    expect(Array.from(comboIdRange(3, 7))).toEqual([3, 4, 5, 6]);
    expect(comboIdRange(5, 5).length).toBe(0);
  });

  it('gives each combination its own parameters: combo ids and value indices are a bijection', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 5 }), (counts) => {
        const grid = Object.fromEntries(counts.map((count, p) => [`p${p}`, Array.from({ length: count }, (_, k) => k)]));
        const layout = gridLayout(grid);
        const seen = new Set<string>();
        for (let comboId = 0; comboId < layout.size; comboId++) {
          const params = comboParams(layout, comboId);
          // mixed radix: the id is recovered from the value indices, last parameter fastest
          expect(layout.names.reduce((id, name, p) => id * layout.values[p].length + (params[name] as number), 0)).toBe(comboId);
          seen.add(JSON.stringify(params));
        }
        expect(seen.size).toBe(layout.size);
      }),
    );
  });
});

describe('random sampling', () => {
  it('draws these ids for seed 42 (a contract: they never change)', () => {
    expect(Array.from(sampleComboIds(1000, 10, 42))).toEqual([3, 173, 196, 248, 271, 595, 685, 743, 845, 861]);
    expect(Array.from(sampleComboIds(10_000, 5, 7))).toEqual([116, 4661, 5213, 5533, 9766]);
    expect(Array.from(sampleComboIds(2 ** 40, 3, 1))).toEqual([579_934_345_520, 689_474_897_305, 1_064_742_567_859]);
  });

  it('runs mulberry32 as published (its first outputs for seed 1, from the reference JavaScript code)', () => {
    const next = mulberry32(1);
    expect([next(), next(), next()]).toEqual([2_693_262_067, 11_749_833, 2_265_367_787]);
  });

  it('returns distinct ids of the grid, sorted, the same for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.nat(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (size, countSeed, seed) => {
        const count = countSeed % (size + 1);
        const ids = Array.from(sampleComboIds(size, count, seed));
        expect(ids.length).toBe(count);
        const wellFormed = ids.every((id, k) => Number.isInteger(id) && id >= 0 && id < size && (k === 0 || id > ids[k - 1]));
        expect(wellFormed).toBe(true);
        expect(Array.from(sampleComboIds(size, count, seed))).toEqual(ids);
      }),
    );
  });

  it('takes the whole grid when asked for all of it, and refuses more', () => {
    expect(Array.from(sampleComboIds(6, 6, 3))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => sampleComboIds(6, 7, 3)).toThrow("samples: got 7, expected a whole number of at most the grid's 6 combinations");
    expect(() => sampleComboIds(6, 2, 0.5)).toThrow('seed: got 0.5, expected an integer');
  });

  it('spreads the draws over the grid', () => {
    // 2000 of 10,000: each tenth of the grid gets about 200
    const ids = sampleComboIds(10_000, 2000, 99);
    const perTenth = new Array<number>(10).fill(0);
    for (const id of ids) perTenth[Math.floor(id / 1000)]++;
    for (const count of perTenth) expect(Math.abs(count - 200)).toBeLessThan(60);
  });
});
