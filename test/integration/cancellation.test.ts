/**
 * Cancelling a running task through the API: running symbols stop, the task ends `cancelled` (stored
 * as failed + metadata.cancelled), no staging is left, and the failure webhook hears about it.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { writeSampleData } from '../../src/data/sampleData';
import { LocalBlobStore } from '../../src/storage/providers';
import { startBacktestWorkflow, startHarness, waitFor, type Harness } from './harness';

const symbols = Array.from({ length: 30 }, (_, index) => `C${String(index).padStart(2, '0')}_KRW`);

let harness: Harness;
let webhook: Server;
const notices: any[] = [];

beforeAll(async () => {
  webhook = createServer((incoming, response) => {
    let body = '';
    incoming.on('data', (chunk) => (body += chunk));
    incoming.on('end', () => {
      notices.push(JSON.parse(body));
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'cancel-'));
  await writeSampleData({
    store: new LocalBlobStore(dataRoot),
    symbols,
    timeframes: ['1h'],
    startDate: '2023-01-01',
    endDate: '2024-12-31',
  });
  harness = await startHarness({
    env: {
      DATA_ROOT: dataRoot,
      MAX_PARALLEL_SYMBOLS: '1',
      FAILURE_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/notices`,
    },
  });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  webhook?.close();
});

it('cancels a running task promptly and leaves no staging behind', async () => {
  const submitted = await request(harness.app).post('/api/backtests').send({
    strategy: 'volume_zone_breakout',
    symbols,
    start_date: '2023-01-01',
    end_date: '2024-12-31',
    timeframe: '1h',
  });
  expect(submitted.status).toBe(202);
  const taskId = submitted.body.task_id;
  const status = () => request(harness.app).get(`/api/backtests/${taskId}`);
  await waitFor(status, (r) => r.body.symbols?.some((s: any) => s.state === 'completed'));

  const cancelledAt = Date.now();
  const cancel = await request(harness.app).post(`/api/backtests/${taskId}/cancel`);
  expect(cancel.status).toBe(202);
  const final = await waitFor(status, (r) => r.body.status === 'cancelled', 15_000);
  console.log(`cancel -> cancelled in ${Date.now() - cancelledAt} ms`);

  const states = final.body.symbols.map((s: any) => s.state);
  expect(states).toContain('pending');
  expect(states.filter((state: string) => state === 'completed').length).toBeLessThan(symbols.length);

  const directory = join(harness.config.DATA_ROOT, 'tasks', taskId);
  expect(existsSync(join(directory, 'staging'))).toBe(false);
  const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8'));
  expect(manifest).toMatchObject({ status: 'failed', error: { occurred: true, message: 'cancelled by request' } });

  const row = await harness.repository.get(taskId);
  expect(row).toMatchObject({ status: 'failed', metadata: expect.objectContaining({ cancelled: true }) });
  const cancelledList = await request(harness.app).get('/api/backtests?status=cancelled');
  expect(cancelledList.body.items.map((item: any) => item.task_id)).toContain(taskId);

  await waitFor(
    async () => notices,
    (list) => list.some((notice) => notice.task_id === taskId),
  );
  expect(notices.find((notice) => notice.task_id === taskId)).toEqual({
    event: 'backtest.failed',
    task_id: taskId,
    status: 'cancelled',
    strategy: 'volume_zone_breakout',
    symbols: symbols.length,
    error: 'cancelled by request',
  });

  const again = await request(harness.app).post(`/api/backtests/${taskId}/cancel`);
  expect(again.status).toBe(409);
  expect(again.body.message).toMatch(/is cancelled; only a running task can be cancelled/);
}, 60_000);

it('notifies the webhook when every symbol of a task fails', async () => {
  const handle = await startBacktestWorkflow(harness, {
    strategy: 'volume_long_candle',
    symbols: ['MISSING_KRW'],
    start_date: '2024-01-01',
    end_date: '2024-01-31',
    timeframe: '1h',
  });
  await handle.result();
  const taskId = handle.workflowId;
  await waitFor(
    async () => notices,
    (list) => list.some((notice) => notice.task_id === taskId),
  );
  const notice = notices.find((entry) => entry.task_id === taskId);
  expect(notice).toMatchObject({ status: 'failed', symbols: 1 });
  expect(notice.error).toMatch(/MISSING_KRW/);
});
