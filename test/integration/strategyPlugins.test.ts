/**
 * Strategy plugins on the real stack (DESIGN.md section 14): an API and a worker whose STRATEGIES_DIR holds a good
 * plugin (backtests and sweeps of it), one with a syntax error and one whose export is invalid; a worker that loaded an
 * older source of a plugin than the API, which must fail the task or sweep at once, naming both versions; and an
 * evaluation thread with another version than its activity checked.
 */
import { ApplicationFailure } from '@temporalio/common';
import request from 'supertest';
import { generateSampleCandles } from '../../src/data/sampleData';
import { executionParamsSchema } from '../../src/engine/execution';
import { createEvaluationPool, type EvaluationPool } from '../../src/threads/evaluationPool';
import { readManifestOf, startHarness, waitFor, type Harness } from './harness';
import { sourceVersion } from '../../src/strategyPlugins';
import type { StrategiesResponse } from '../../src/contracts/api';
import {
  examplePluginSource,
  INVALID_EXPORT_SOURCE,
  periodicPluginSource,
  SYNTAX_ERROR_SOURCE,
  writePluginFolder,
} from '../fixtures/pluginFiles';

const BACKTEST_DEADLINE_MS = 60_000;
jest.setTimeout(BACKTEST_DEADLINE_MS * 2);

const finished = (status: string) => ['completed', 'failed', 'cancelled'].includes(status);

async function runThroughApi(harness: Harness, body: object) {
  const submitted = await request(harness.app).post('/api/backtests').send(body);
  expect(submitted.status).toBe(202);
  const taskId: string = submitted.body.task_id;
  const task = await waitFor(
    () => request(harness.app).get(`/api/backtests/${taskId}`),
    (response) => finished(response.body.status),
    BACKTEST_DEADLINE_MS,
  );
  return { taskId, task: task.body };
}

describe('a STRATEGIES_DIR with a good plugin and two broken ones', () => {
  let harness: Harness;
  let folder: string;
  const smaSource = examplePluginSource('smaCrossover.ts');

  beforeAll(async () => {
    folder = writePluginFolder(
      { 'smaCrossover.ts': smaSource, 'brokenSyntax.ts': SYNTAX_ERROR_SOURCE, 'invalidExport.ts': INVALID_EXPORT_SOURCE },
      process.env.TEST_SCRATCH,
    );
    harness = await startHarness({ env: { STRATEGIES_DIR: folder } });
  }, 60_000);

  afterAll(async () => {
    await harness?.stop();
  });

  it('lists the good plugin as available and the broken ones as unavailable with file and line', async () => {
    const response = await request(harness.app).get('/api/strategies');
    expect(response.status).toBe(200);
    const { strategies } = response.body as StrategiesResponse;
    const byFile = Object.fromEntries(strategies.map((strategy) => [strategy.file ?? strategy.id, strategy]));
    expect(strategies.map((strategy) => [strategy.id, strategy.source, strategy.available])).toEqual([
      ['volume_zone_breakout', 'builtin', true],
      ['volume_long_candle', 'builtin', true],
      ['brokenSyntax', 'plugin', false],
      ['invalid_export', 'plugin', false],
      ['sma_crossover', 'plugin', true],
    ]);
    expect(byFile['smaCrossover.ts']).toMatchObject({
      version: sourceVersion(smaSource),
      error: null,
      description: expect.stringMatching(/crosses/),
    });
    expect(Object.keys(byFile['smaCrossover.ts'].parameters.properties as object)).toEqual(
      expect.arrayContaining(['fast_window', 'slow_window', 'hold_period_bars', 'stop_loss_pct', 'direction']),
    );
    expect(byFile['brokenSyntax.ts']).toMatchObject({
      version: sourceVersion(SYNTAX_ERROR_SOURCE),
      parameters: {},
      error: `${folder}/brokenSyntax.ts:4:23: syntax error: Expected identifier but found ","`,
    });
    expect(byFile['invalidExport.ts'].error).toMatch(
      new RegExp(`^${folder}/invalidExport\\.ts:4:1: invalid strategy: paramsSchema must include hold_period_bars`),
    );
  });

  it('runs a backtest of the good plugin end to end and records its version in the manifest', async () => {
    const { taskId, task } = await runThroughApi(harness, {
      strategy: 'sma_crossover',
      params: { fast_window: 12, slow_window: 48, stop_loss_pct: 4 },
      symbols: ['BTC_KRW', 'ETH_KRW'],
      start_date: '2023-01-01',
      end_date: '2023-06-30',
      timeframe: '1h',
    });
    expect(task).toMatchObject({ status: 'completed', strategy: 'sma_crossover', error: null });
    const manifest = await readManifestOf(harness, taskId);
    expect(manifest.metadata.strategy_version).toBe(sourceVersion(smaSource));
    expect(manifest.params).toMatchObject({ fast_window: 12, slow_window: 48, hold_period_bars: 0, stop_loss_pct: 4 });
    const result = await request(harness.app).get(`/api/backtests/${taskId}/result`).query({ max_points: 2 });
    const trades = result.body.trades.rows as { exit_reason: string; status: string }[];
    expect(trades.length).toBeGreaterThan(10);
    // exits come from the plugin's exit signals and from the stop; none from a hold period (0 = off)
    const reasons = new Set(trades.map((trade) => trade.exit_reason));
    expect(reasons.has('signal')).toBe(true);
    expect([...reasons].every((reason) => ['signal', 'stop_loss', 'end_of_data'].includes(reason))).toBe(true);
  });

  it('sweeps the plugin over a grid of its parameters, the best combination run as a backtest, both with its version', async () => {
    const submitted = await request(harness.app)
      .post('/api/sweeps')
      .send({
        strategy: 'sma_crossover',
        symbols: ['BTC_KRW'],
        start_date: '2023-01-01',
        end_date: '2023-06-30',
        timeframe: '1h',
        params: { stop_loss_pct: 4 },
        grid: { fast_window: [6, 12], slow_window: { from: 24, to: 72, step: 24 } },
        objective: { metric: 'total_pnl_pct' },
        materialize_top: 1,
      });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ combinations: 6, evaluations: 6 });
    const sweepId: string = submitted.body.sweep_id;
    const done = await waitFor(
      () => request(harness.app).get(`/api/sweeps/${sweepId}`),
      (response) => finished(response.body.status),
      BACKTEST_DEADLINE_MS,
    );
    expect(done.body).toMatchObject({ status: 'completed', evaluated: 6 });
    expect(Object.keys(done.body.best.params).sort()).toEqual(['fast_window', 'slow_window']);
    const manifest = (await request(harness.app).get(`/api/sweeps/${sweepId}/files/manifest.json`)).body;
    expect(manifest.metadata.strategy_version).toBe(sourceVersion(smaSource));
    const [taskId] = manifest.sweep.materialized_tasks;
    await waitFor(
      () => request(harness.app).get(`/api/backtests/${taskId}`),
      (response) => response.body.status === 'completed',
      BACKTEST_DEADLINE_MS,
    );
    const task = await readManifestOf(harness, taskId);
    expect(task).toMatchObject({ strategy: 'sma_crossover', params: done.body.best.params });
    expect(task.metadata.strategy_version).toBe(sourceVersion(smaSource));
  });

  it('refuses a request for a broken plugin with its error, and keeps serving everything else', async () => {
    const refused = await request(harness.app)
      .post('/api/backtests')
      .send({
        strategy: 'invalid_export',
        symbols: ['BTC_KRW'],
        start_date: '2023-01-01',
        end_date: '2023-03-31',
        timeframe: '1d',
      });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(
      /strategy "invalid_export" is unavailable: its plugin failed to load: .*invalidExport\.ts:4:1: invalid strategy/,
    );
    expect((await request(harness.app).get('/healthz')).status).toBe(200);
    const builtin = await runThroughApi(harness, {
      strategy: 'volume_long_candle',
      symbols: ['BTC_KRW'],
      start_date: '2023-01-01',
      end_date: '2023-12-31',
      timeframe: '1d',
    });
    expect(builtin.task.status).toBe('completed');
    expect((await readManifestOf(harness, builtin.taskId)).metadata.strategy_version).toMatch(/^builtin-/);
  });
});

describe('a worker that loaded another version of a plugin than the API', () => {
  let harness: Harness;
  const apiSource = periodicPluginSource('every_nth_bar', 10);
  const workerSource = periodicPluginSource('every_nth_bar', 7);

  beforeAll(async () => {
    const apiFolder = writePluginFolder({ 'everyNthBar.ts': apiSource }, process.env.TEST_SCRATCH);
    const workerFolder = writePluginFolder({ 'everyNthBar.ts': workerSource }, process.env.TEST_SCRATCH);
    harness = await startHarness({ env: { STRATEGIES_DIR: apiFolder }, workerStrategiesDir: workerFolder });
  }, 60_000);

  afterAll(async () => {
    await harness?.stop();
  });

  it('fails the task at once, without retries, naming both versions', async () => {
    const [apiVersion, workerVersion] = [sourceVersion(apiSource), sourceVersion(workerSource)];
    expect(apiVersion).not.toBe(workerVersion);
    const { taskId, task } = await runThroughApi(harness, {
      strategy: 'every_nth_bar',
      symbols: ['BTC_KRW', 'ETH_KRW', 'XRP_KRW'],
      start_date: '2023-01-01',
      end_date: '2023-12-31',
      timeframe: '1d',
    });
    expect(task.status).toBe('failed');
    const expected = `strategy version mismatch for every_nth_bar: the API validated this task against version ${apiVersion}, worker test-worker has version ${workerVersion}`;
    expect(task.error).toContain(expected);

    const manifest = await readManifestOf(harness, taskId);
    expect(manifest).toMatchObject({ status: 'failed', error: { occurred: true } });
    expect(manifest.error.message).toContain(expected);
    expect(manifest.metadata.strategy_version).toBe(apiVersion);
    expect((await harness.repository.get(taskId))?.status).toBe('failed');

    // One attempt per activity that ran, each failed as non-retryable; the task did not wait for the other symbols.
    const history = await harness.client.workflow.getHandle(taskId).fetchHistory();
    const events = history.events ?? [];
    const attempts = events.flatMap((event) =>
      event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt] : [],
    );
    const failures = events.flatMap((event) =>
      event.activityTaskFailedEventAttributes ? [event.activityTaskFailedEventAttributes.failure] : [],
    );
    expect(failures.length).toBeGreaterThan(0);
    expect(attempts.every((attempt) => attempt === 1)).toBe(true);
    for (const failure of failures) {
      expect(failure?.applicationFailureInfo).toMatchObject({ type: 'StrategyVersionMismatch', nonRetryable: true });
      expect(failure?.message).toContain(expected);
    }
  });

  it('fails a sweep of that plugin the same way, before any chunk is evaluated', async () => {
    const submitted = await request(harness.app)
      .post('/api/sweeps')
      .send({
        strategy: 'every_nth_bar',
        symbols: ['BTC_KRW'],
        start_date: '2023-01-01',
        end_date: '2023-12-31',
        timeframe: '1d',
        grid: { every: [5, 10] },
        objective: { metric: 'total_pnl_pct' },
      });
    expect(submitted.status).toBe(202);
    const done = await waitFor(
      () => request(harness.app).get(`/api/sweeps/${submitted.body.sweep_id}`),
      (response) => finished(response.body.status),
      BACKTEST_DEADLINE_MS,
    );
    expect(done.body).toMatchObject({ status: 'failed', evaluated: 0 });
    expect(done.body.error).toContain(
      `strategy version mismatch for every_nth_bar: the API validated this task against version ${sourceVersion(apiSource)}`,
    );
  });
});

describe('an evaluation thread that loaded another version of a strategy than the activity checked', () => {
  let pool: EvaluationPool;

  afterAll(async () => {
    await pool?.close();
  });

  it('fails the work for good, naming both versions', async () => {
    const source = periodicPluginSource('every_fifth_bar', 5);
    pool = createEvaluationPool(1, writePluginFolder({ 'everyFifthBar.ts': source }, process.env.TEST_SCRATCH));
    const candles = generateSampleCandles({ symbol: 'BTC_KRW', timeframe: '1d', startDate: '2023-01-01', endDate: '2023-03-31', seed: 1 });
    const params = { every: 5, hold_period_bars: 1, ...executionParamsSchema.parse({}) };
    const task = { symbol: 'BTC_KRW', candles, strategy: 'every_fifth_bar', params, periodsPerYear: 365 };
    // the version it has: the backtest runs on the thread
    expect((await pool.runBacktest({ ...task, strategyVersion: sourceVersion(source) })).tradeCount).toBeGreaterThan(10);
    const refused = await pool.runBacktest({ ...task, strategyVersion: '0123456789ab' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: 'StrategyVersionMismatch', nonRetryable: true });
    expect((refused as Error).message).toContain(
      `every_fifth_bar: the activity checked version 0123456789ab, this thread has version ${sourceVersion(source)}`,
    );
  });
});
