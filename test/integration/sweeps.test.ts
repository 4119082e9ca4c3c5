/**
 * Parameter sweeps end to end on the real stack (DESIGN.md section 12): REST submit -> sweepWorkflow ->
 * chunks on the worker's threads -> Parquet tables + manifest + row -> results, heatmap, walk-forward; every
 * row equals an ordinary backtest of its combination; malformed sweeps are refused with a 422 naming the field.
 */
import request from 'supertest';
import { startHarness, waitFor, type Harness } from './harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ env: { MAX_SWEEP_COMBINATIONS: '5000', SWEEP_CHUNK_COMBINATIONS: '256' } });
});

afterAll(async () => {
  await harness?.stop();
});

const sweep = (overrides: object = {}) => ({
  strategy: 'volume_zone_breakout',
  symbols: ['BTC_KRW', 'ETH_KRW'],
  start_date: '2022-01-01',
  end_date: '2024-12-31',
  timeframe: '1d',
  params: { fee_rate: 0.001 },
  grid: { volume_window: [20, 40], breakout_buffer: { from: 0, to: 0.02, step: 0.005 }, hold_period_bars: [1, 3, 5] },
  objective: { metric: 'total_pnl_pct' },
  ...overrides,
});

const finished = (response: request.Response) => ['completed', 'failed', 'cancelled'].includes(response.body.status);

async function runSweep(body: object) {
  const submitted = await request(harness.app).post('/api/sweeps').send(body);
  expect(submitted.status).toBe(202);
  const done = await waitFor(() => request(harness.app).get(`/api/sweeps/${submitted.body.sweep_id}`), finished, 120_000);
  expect(done.body).toMatchObject({ status: 'completed', progress: 1 });
  return { submitted: submitted.body, status: done.body };
}

describe('a grid sweep', () => {
  let sweepId: string;
  let status: any;

  beforeAll(async () => {
    const run = await runSweep(sweep({ materialize_top: 2 }));
    expect(run.submitted).toMatchObject({ status: 'queued', combinations: 30, evaluations: 60 });
    sweepId = run.submitted.sweep_id;
    status = run.status;
  }, 180_000);

  it('reports every evaluation done and the best combination', () => {
    expect(status).toMatchObject({ evaluated: 60, combinations: 30, evaluations: 60, result_path: `sweeps/${sweepId}` });
    expect(Object.keys(status.best.params).sort()).toEqual(['breakout_buffer', 'hold_period_bars', 'volume_window']);
    expect(status.grid.breakout_buffer).toEqual([0, 0.005, 0.01, 0.015, 0.02]);
  });

  it('serves one row per symbol and combination, ranked by the objective', async () => {
    const page = await request(harness.app).get(`/api/sweeps/${sweepId}/results?symbol=BTC_KRW&limit=100`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ table: 'sweep_results', total: 30 });
    const ranks = page.body.rows.map((row: any) => row.rank);
    expect(ranks).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    const returns = page.body.rows.filter((row: any) => row.winning_signals + row.losing_signals >= 1).map((row: any) => row.total_pnl_pct);
    expect(returns).toEqual([...returns].sort((a, b) => b - a));
    const combos = await request(harness.app).get(`/api/sweeps/${sweepId}/results?symbol=all&sort=combo_id&order=asc&limit=5`);
    expect(combos.body).toMatchObject({ table: 'combo_summary', total: 30 });
    expect(combos.body.rows.map((row: any) => row.combo_id)).toEqual([0, 1, 2, 3, 4]);
  });

  it('equals, in 20 rows sampled over both symbols, an ordinary backtest of the same combination in every metric', async () => {
    const sampled: any[] = [];
    for (const symbol of ['BTC_KRW', 'ETH_KRW']) {
      const rows = (await request(harness.app).get(`/api/sweeps/${sweepId}/results?symbol=${symbol}&sort=combo_id&limit=100`)).body.rows;
      expect(rows).toHaveLength(30);
      // every third combination: each value of every swept parameter appears
      sampled.push(
        ...rows.filter((_row: unknown, index: number) => index % 3 === symbol.length % 3).map((row: any) => ({ ...row, symbol })),
      );
    }
    expect(sampled).toHaveLength(20);
    const tasks = await Promise.all(
      sampled.map(async (row) => {
        const submitted = await request(harness.app)
          .post('/api/backtests')
          .send({
            strategy: 'volume_zone_breakout',
            symbols: [row.symbol],
            start_date: '2022-01-01',
            end_date: '2024-12-31',
            timeframe: '1d',
            params: {
              fee_rate: 0.001,
              volume_window: row.volume_window,
              breakout_buffer: row.breakout_buffer,
              hold_period_bars: row.hold_period_bars,
            },
          });
        expect(submitted.status).toBe(202);
        return submitted.body.task_id as string;
      }),
    );
    for (const [index, taskId] of tasks.entries()) {
      await waitFor(
        () => request(harness.app).get(`/api/backtests/${taskId}`),
        (response) => response.body.status === 'completed',
        60_000,
      );
      const result = await request(harness.app).get(`/api/backtests/${taskId}/result?trades_limit=1`);
      const { symbol: _symbol, ...summary } = result.body.summary[0];
      for (const [metric, value] of Object.entries(summary)) expect([metric, sampled[index][metric]]).toEqual([metric, value]);
    }
  }, 120_000);

  it('draws a heatmap of two swept parameters', async () => {
    const heatmap = await request(harness.app).get(`/api/sweeps/${sweepId}/heatmap?x=breakout_buffer&y=volume_window&reduce=max`);
    expect(heatmap.status).toBe(200);
    expect(heatmap.body).toMatchObject({ x_values: [0, 0.005, 0.01, 0.015, 0.02], y_values: [20, 40], metric: 'total_pnl_pct' });
    expect(heatmap.body.z).toHaveLength(2);
    expect(heatmap.body.z.every((row: unknown[]) => row.length === 5)).toBe(true);
    // by default each cell holds the best of the other parameters: the lowest drawdown, the highest return
    const cell = async (metric: string, reduce?: string) =>
      (
        await request(harness.app).get(
          `/api/sweeps/${sweepId}/heatmap?x=breakout_buffer&y=volume_window&metric=${metric}${reduce ? `&reduce=${reduce}` : ''}`,
        )
      ).body;
    const [best, min, max] = await Promise.all([cell('max_drawdown'), cell('max_drawdown', 'min'), cell('max_drawdown', 'max')]);
    expect([best.reduce, min.reduce, max.reduce]).toEqual(['min', 'min', 'max']);
    expect(best.z).toEqual(min.z);
    expect(best.z[0][0]).toBeLessThan(max.z[0][0]);
    expect((await cell('total_pnl_pct')).z).toEqual(heatmap.body.z);
  });

  it('lists its files with their checksums and starts the best combinations as backtests', async () => {
    const manifest = (await request(harness.app).get(`/api/sweeps/${sweepId}/files/manifest.json`)).body;
    expect(manifest.result_files.map((file: { name: string }) => file.name)).toEqual([
      'sweep_results.parquet',
      'combo_summary.parquet',
      'metadata.json',
    ]);
    expect(manifest.sweep.materialized_tasks).toHaveLength(2);
    const [task] = manifest.sweep.materialized_tasks;
    const done = await waitFor(
      () => request(harness.app).get(`/api/backtests/${task}`),
      (response) => response.body.status === 'completed',
    );
    expect(done.body.symbols).toHaveLength(2);
    const listed = await request(harness.app).get('/api/sweeps?limit=50');
    expect(listed.body.items.map((item: { sweep_id: string }) => item.sweep_id)).toContain(sweepId);
  });
});

describe('a walk-forward sweep', () => {
  /**
   * Worked by hand: 1,096 daily candles (2022-01-01 .. 2024-12-31), 3 folds, 70 % in sample. Window k is bars
   * [floor(k * 1096 / 3), floor((k + 1) * 1096 / 3)) = [0, 365), [365, 730), [730, 1096); its first floor(0.7 * length)
   * bars are in sample: 255, 255 and 256 bars, then 110 bars out of sample each.
   */
  const expectedFolds = [
    { fold: 0, in_sample: ['2022-01-01', '2022-09-12'], out_of_sample: ['2022-09-13', '2022-12-31'], bars: [255, 110] },
    { fold: 1, in_sample: ['2023-01-01', '2023-09-12'], out_of_sample: ['2023-09-13', '2023-12-31'], bars: [255, 110] },
    { fold: 2, in_sample: ['2024-01-01', '2024-09-12'], out_of_sample: ['2024-09-13', '2024-12-31'], bars: [256, 110] },
  ];
  const day = (iso: string) => iso.slice(0, 10);
  let sweepId: string;
  let view: any;

  beforeAll(async () => {
    const { submitted } = await runSweep(sweep({ symbols: ['BTC_KRW'], walk_forward: { folds: 3, in_sample_pct: 70 } }));
    sweepId = submitted.sweep_id;
    view = (await request(harness.app).get(`/api/sweeps/${sweepId}/walk-forward?max_points=100`)).body;
  }, 180_000);

  it('cuts the folds where the hand-worked boundaries are', () => {
    expect(
      view.folds.map((fold: any) => ({
        fold: fold.fold,
        in_sample: [day(fold.in_sample_start), day(fold.in_sample_end)],
        out_of_sample: [day(fold.out_of_sample_start), day(fold.out_of_sample_end)],
      })),
    ).toEqual(expectedFolds.map(({ bars: _bars, ...fold }) => fold));
  });

  it("chooses per fold the first of that fold's in-sample ranking", async () => {
    // the combinations this data and grid lead to (combo ids: breakout_buffer, hold_period_bars, volume_window
    // sorted by name, the last varying fastest)
    expect(view.folds.map((fold: any) => [fold.combo_id, fold.breakout_buffer, fold.hold_period_bars, fold.volume_window])).toEqual([
      [4, 0, 5, 20],
      [28, 0.02, 5, 20],
      [27, 0.02, 3, 40],
    ]);
    for (const fold of view.folds) {
      const ranked = (await request(harness.app).get(`/api/sweeps/${sweepId}/results?symbol=BTC_KRW&fold=${fold.fold}&limit=30`)).body.rows;
      expect(ranked).toHaveLength(30);
      expect(ranked[0]).toMatchObject({ rank: 1, combo_id: fold.combo_id, total_pnl_pct: fold.in_sample_return_pct });
      expect(Math.max(...ranked.map((row: any) => row.total_pnl_pct))).toBe(fold.in_sample_objective);
    }
  });

  it('reports the efficiency as the mean of annualised out-of-sample over in-sample returns, and one stitched curve', () => {
    const annualised = (returnPct: number, bars: number) => (Math.pow(1 + returnPct / 100, 365 / bars) - 1) * 100;
    const ratios = view.folds.map(
      (fold: any, index: number) =>
        annualised(fold.out_of_sample_return_pct, expectedFolds[index].bars[1]) /
        annualised(fold.in_sample_return_pct, expectedFolds[index].bars[0]),
    );
    expect(view.folds.every((fold: any) => fold.in_sample_return_pct > 0)).toBe(true);
    expect(view.efficiency).toBeCloseTo(ratios.reduce((sum: number, ratio: number) => sum + ratio, 0) / 3, 10);
    expect(view.curve.length).toBeGreaterThan(10);
    expect(view.stitched).toHaveLength(1);
    // the stitched curve compounds the out-of-sample parts, one after another
    const compounded = view.folds.reduce((equity: number, fold: any) => equity * (1 + fold.out_of_sample_return_pct / 100), 1);
    expect(view.stitched[0].total_pnl_pct).toBeCloseTo((compounded - 1) * 100, 8);
  });
});

describe('a random search', () => {
  it('samples a grid far larger than the cap, numbering each row by its place in the whole grid', async () => {
    const huge = {
      volume_window: { from: 2, to: 2001, step: 1 },
      breakout_buffer: { from: 0, to: 0.1, step: 0.0001 },
      num_bins: { from: 1, to: 60, step: 1 },
    };
    const { submitted } = await runSweep(sweep({ symbols: ['BTC_KRW'], grid: huge, search: { method: 'random', samples: 12, seed: 7 } }));
    expect(submitted).toMatchObject({ combinations: 12, evaluations: 12 });
    const rows = (await request(harness.app).get(`/api/sweeps/${submitted.sweep_id}/results?sort=combo_id&order=asc&limit=20`)).body.rows;
    expect(rows).toHaveLength(12);
    // 2000 x 1001 x 60 = 120,120,000 combinations; ids are drawn from all of them
    expect(Math.max(...rows.map((row: any) => row.combo_id))).toBeGreaterThan(5000);
    expect(rows.every((row: any) => row.combo_id < 120_120_000)).toBe(true);
  }, 120_000);
});

describe('a malformed sweep', () => {
  it.each([
    ['an empty grid', { grid: {} }, 'grid', /empty/],
    ['a parameter both fixed and swept', { params: { volume_window: 30 } }, 'grid.volume_window', /both fixed/],
    ['a bad value, named by its index', { grid: { volume_window: [20, 40, 1] } }, 'grid.volume_window.2', /1:/],
    [
      'a non-integer step for an integer parameter',
      { grid: { volume_window: { from: 10, to: 20, step: 2.5 } } },
      'grid.volume_window',
      /integers/,
    ],
    [
      'too many combinations, with the count',
      { grid: { volume_window: { from: 2, to: 101, step: 1 }, num_bins: { from: 1, to: 60, step: 1 } } },
      'grid',
      /6000 combinations asked for; at most 5000/,
    ],
    ['an unknown metric', { objective: { metric: 'happiness' } }, 'objective.metric', /unknown metric "happiness"/],
    [
      'folds too small for the window',
      { walk_forward: { folds: 40, in_sample_pct: 50 } },
      'walk_forward.folds',
      /too short for the strategy's window/,
    ],
    ['more samples than combinations', { search: { method: 'random', samples: 31, seed: 1 } }, 'search.samples', /only 30 combinations/],
    [
      'more samples than the cap',
      {
        grid: { volume_window: { from: 2, to: 101, step: 1 }, num_bins: { from: 1, to: 60, step: 1 } },
        search: { method: 'random', samples: 5001, seed: 1 },
      },
      'search.samples',
      /5001 combinations asked for; at most 5000/,
    ],
    [
      'a step far too small for its range',
      { grid: { breakout_buffer: { from: 0, to: 1, step: 1e-9 } } },
      'grid.breakout_buffer.step',
      / values; at most 10000 per parameter/,
    ],
  ])('is refused: %s', async (_name, overrides, field, says) => {
    const response = await request(harness.app).post('/api/sweeps').send(sweep(overrides));
    expect(response.status).toBe(422);
    expect(response.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(says) })]),
    );
  });
});
