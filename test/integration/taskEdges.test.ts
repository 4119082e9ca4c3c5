/**
 * What an operator ran into (issue 9), each now a test on the real stack: damaged market data is reported
 * and refused by name, task ids in upper case are the same task, a task no worker serves says so and every
 * GET stays fast, and the schedules stay on the queue the configuration names.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { BACKUP_SCHEDULE_ID, CLEANUP_SCHEDULE_ID } from '../../src/contracts/task';
import { writeSampleData } from '../../src/data/sampleData';
import { createMarketData } from '../../src/services';
import { LocalBlobStore } from '../../src/storage/providers';
import { lazyApiClient } from '../../src/temporalConnection';
import { ensureSchedules } from '../../src/worker';
import { startHarness, waitFor, type Harness } from './harness';

let harness: Harness;
let dataRoot: string;

beforeAll(async () => {
  dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'edges-'));
  const store = new LocalBlobStore(dataRoot);
  await writeSampleData({
    store,
    symbols: ['BTC_KRW', 'XRP_KRW'],
    timeframes: ['1d', '1h'],
    startDate: '2021-01-01',
    endDate: '2022-12-31',
  });
  // A truncated year file, as a failed copy leaves it.
  const damaged = join(dataRoot, 'XRP_KRW/1H/2022.parquet');
  const bytes = readFileSync(damaged);
  writeFileSync(damaged, bytes.subarray(0, bytes.length >> 1));
  harness = await startHarness({ env: { DATA_ROOT: dataRoot } });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

const submission = (overrides: object = {}) => ({
  strategy: 'volume_long_candle',
  symbols: ['BTC_KRW'],
  start_date: '2021-01-01',
  end_date: '2021-06-30',
  timeframe: '1d',
  ...overrides,
});

async function runToCompletion(body: object): Promise<string> {
  const submitted = await request(harness.app).post('/api/backtests').send(body);
  expect(submitted.status).toBe(202);
  await waitFor(
    () => request(harness.app).get(`/api/backtests/${submitted.body.task_id}`),
    (response) => response.body.status === 'completed',
  );
  return submitted.body.task_id;
}

describe('a damaged market-data file', () => {
  it('is listed with its series, not hidden', async () => {
    const listed = await request(harness.app).get('/api/data/symbols');
    expect(listed.status).toBe(200);
    const xrp = listed.body.symbols.find((entry: { symbol: string }) => entry.symbol === 'XRP_KRW');
    expect(xrp.timeframes).toContainEqual({
      timeframe: '1h',
      start_date: '2021-01-01',
      end_date: '2021-12-31',
      candles: 8760,
      problems: [{ file: 'XRP_KRW/1H/2022.parquet', message: expect.stringMatching(/not a readable Parquet file/) }],
    });
  });

  it('refuses a request whose range needs it, naming the file, and serves one whose range does not', async () => {
    const needsIt = await request(harness.app)
      .post('/api/backtests')
      .send(submission({ symbols: ['XRP_KRW'], timeframe: '1h', start_date: '2022-03-01', end_date: '2022-03-31' }));
    expect(needsIt.status).toBe(422);
    expect(needsIt.body.message).toContain('XRP_KRW/1H/2022.parquet');
    expect(needsIt.body.details).toEqual([{ field: 'symbols.0', message: expect.stringContaining('XRP_KRW/1H/2022.parquet') }]);
    await runToCompletion(submission({ symbols: ['XRP_KRW'], timeframe: '1h', start_date: '2021-03-01', end_date: '2021-03-31' }));
  }, 60_000);
});

describe('a task id in upper case', () => {
  it('names the same task on every route', async () => {
    const taskId = await runToCompletion(submission());
    const upper = taskId.toUpperCase();
    const status = await request(harness.app).get(`/api/backtests/${upper}`);
    expect(status.body).toMatchObject({ task_id: taskId, status: 'completed', result_path: `tasks/${taskId}` });
    expect(status.body.symbols).toEqual([expect.objectContaining({ symbol: 'BTC_KRW', state: 'completed' })]);
    const result = await request(harness.app).get(`/api/backtests/${upper}/result`);
    expect(result.body).toMatchObject({ task_id: taskId, status: 'completed' });
    expect((await request(harness.app).get(`/api/backtests/${upper}/files/manifest.json`)).status).toBe(200);
    expect((await request(harness.app).patch(`/api/backtests/${upper}`).send({ pinned: true })).body).toMatchObject({
      task_id: taskId,
      pinned: true,
    });
    expect((await request(harness.app).delete(`/api/backtests/${upper}`)).status).toBe(204);
    expect((await request(harness.app).get(`/api/backtests/${taskId}`)).status).toBe(404);
  }, 60_000);

  it('cancels a running task', async () => {
    const submitted = await request(harness.app)
      .post('/api/backtests')
      .send(submission({ symbols: ['BTC_KRW', 'XRP_KRW'], timeframe: '1h', start_date: '2021-01-01', end_date: '2021-12-31' }));
    const cancelled = await request(harness.app).post(`/api/backtests/${submitted.body.task_id.toUpperCase()}/cancel`);
    // Either it was still running (202) or it had finished already (409 naming its status): never "no such task".
    expect([202, 409]).toContain(cancelled.status);
    if (cancelled.status === 202) expect(cancelled.body).toEqual({ task_id: submitted.body.task_id, status: 'cancelling' });
    else expect(cancelled.body.message).toMatch(/is completed/);
  }, 60_000);
});

describe('a task no worker serves', () => {
  it('says it waits for a worker, and every GET answers in under 200 ms', async () => {
    const queue = `nobody-${randomUUID()}`;
    const temporal = lazyApiClient({ ...harness.config, TEMPORAL_ADDRESS: harness.config.TEMPORAL_ADDRESS! });
    const logger = pino({ level: 'silent' });
    const app = createApp({
      config: { ...harness.config, TEMPORAL_TASK_QUEUE: queue },
      temporal,
      pool: harness.pool,
      repository: harness.repository,
      sweeps: harness.sweeps,
      store: harness.store,
      marketData: createMarketData(harness.config, harness.store, logger),
      logger,
      validateResponses: true,
    });
    try {
      const submitted = await request(app).post('/api/backtests').send(submission());
      expect(submitted.status).toBe(202);
      const path = `/api/backtests/${submitted.body.task_id}`;
      await request(app).get(path); // the first request warms the connection
      const timings: number[] = [];
      const waiting = await waitFor(
        async () => {
          const started = performance.now();
          const response = await request(app).get(path);
          timings.push(performance.now() - started);
          return response;
        },
        (response) => response.body.waiting_for_worker === true,
        10_000,
      );
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await request(app).get(path);
        timings.push(performance.now() - started);
      }
      expect(waiting.body).toMatchObject({ status: 'queued', progress: 0, waiting_for_worker: true });
      expect(Math.max(...timings)).toBeLessThan(200);
      await harness.client.workflow.getHandle(submitted.body.task_id).terminate('test over');
    } finally {
      await temporal.connection.close();
    }
  }, 30_000);
});

describe('the cleanup and backup schedules', () => {
  const deleteSchedules = () =>
    Promise.all(
      [CLEANUP_SCHEDULE_ID, BACKUP_SCHEDULE_ID].map((id) =>
        harness.client.schedule
          .getHandle(id)
          .delete()
          .catch(() => undefined),
      ),
    );

  it('stay on the configured queue whatever queue a worker serves', async () => {
    const logger = { info: () => undefined };
    const scheduleQueue = `schedules-${randomUUID()}`;
    await deleteSchedules();
    try {
      const settings = { SCHEDULES_TASK_QUEUE: scheduleQueue, CLEANUP_CRON: '0 3 * * *', BACKUP_CRON: '0 2 * * *' };
      expect(await ensureSchedules(harness.client, { ...settings, TEMPORAL_TASK_QUEUE: scheduleQueue }, logger)).toEqual({
        cleanup: 'created',
        backup: 'created',
      });
      // A worker of another queue, started later and configured differently, changes nothing.
      expect(
        await ensureSchedules(
          harness.client,
          { ...settings, CLEANUP_CRON: '*/5 * * * *', BACKUP_CRON: '*/5 * * * *', TEMPORAL_TASK_QUEUE: 'elsewhere' },
          logger,
        ),
      ).toBe('left alone');
      // A worker of the schedules' queue with another cron brings them in line.
      expect(
        await ensureSchedules(harness.client, { ...settings, BACKUP_CRON: '30 1 * * *', TEMPORAL_TASK_QUEUE: scheduleQueue }, logger),
      ).toEqual({ cleanup: 'updated', backup: 'updated' });
      const cleanup = await harness.client.schedule.getHandle(CLEANUP_SCHEDULE_ID).describe();
      expect(cleanup.action).toMatchObject({ taskQueue: scheduleQueue, workflowType: 'cleanupSweepWorkflow' });
      expect(cleanup.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }] });
      const backup = await harness.client.schedule.getHandle(BACKUP_SCHEDULE_ID).describe();
      expect(backup.action).toMatchObject({ taskQueue: scheduleQueue, workflowType: 'backupWorkflow' });
      expect(backup.spec.calendars?.[0]).toMatchObject({
        hour: [{ start: 1, end: 1, step: 1 }],
        minute: [{ start: 30, end: 30, step: 1 }],
      });
    } finally {
      await deleteSchedules();
    }
  });
});
