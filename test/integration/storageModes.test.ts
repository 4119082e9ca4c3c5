/**
 * RESULT_STORAGE_MODE: postgres-only writes Parquet, json-only the predecessor's result.json, dual-write
 * both; every mode writes the manifest and the row, and every task reads back the same through the API
 * whichever mode wrote it and whichever mode the server runs in now (switching modes loses nothing).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { ResultStorageMode } from '../../src/storage/resultFiles';
import { startHarness, waitFor, type Harness } from './harness';

const modes: ResultStorageMode[] = ['postgres-only', 'dual-write', 'json-only'];
const harnesses = new Map<ResultStorageMode, Harness>();
const taskIds = new Map<ResultStorageMode, string>();

beforeAll(async () => {
  for (const mode of modes) harnesses.set(mode, await startHarness({ env: { RESULT_STORAGE_MODE: mode } }));
  for (const mode of modes) {
    const harness = harnesses.get(mode)!;
    const submitted = await request(harness.app)
      .post('/api/backtests')
      .send({
        strategy: 'volume_long_candle',
        params: { vol_ma_window: 10, fee_rate: 0.001 },
        symbols: ['BTC_KRW', 'XRP_KRW'],
        start_date: '2023-01-01',
        end_date: '2023-12-31',
        timeframe: '1d',
      });
    expect(submitted.status).toBe(202);
    await waitFor(
      () => request(harness.app).get(`/api/backtests/${submitted.body.task_id}`),
      (response) => response.body.status === 'completed',
    );
    taskIds.set(mode, submitted.body.task_id);
  }
}, 120_000);

afterAll(async () => {
  for (const harness of harnesses.values()) await harness.stop();
});

const filesOf = (mode: ResultStorageMode) => {
  const harness = harnesses.get(mode)!;
  const manifest = JSON.parse(readFileSync(join(harness.config.DATA_ROOT, 'tasks', taskIds.get(mode)!, 'manifest.json'), 'utf8'));
  return manifest.result_files.map((file: { name: string }) => file.name);
};

it('writes the files each mode promises, and the row in every mode', async () => {
  expect(filesOf('postgres-only')).toEqual([
    'symbol_summary.parquet',
    'symbol_signals.parquet',
    'performance_curve.parquet',
    'metadata.json',
  ]);
  expect(filesOf('dual-write')).toEqual([
    'symbol_summary.parquet',
    'symbol_signals.parquet',
    'performance_curve.parquet',
    'metadata.json',
    'result.json',
  ]);
  expect(filesOf('json-only')).toEqual(['result.json']);
  const jsonOnly = harnesses.get('json-only')!;
  const directory = join(jsonOnly.config.DATA_ROOT, 'tasks', taskIds.get('json-only')!);
  expect(existsSync(join(directory, 'symbol_summary.parquet'))).toBe(false);
  const legacy = JSON.parse(readFileSync(join(directory, 'result.json'), 'utf8'));
  expect(legacy).toMatchObject({ run_id: taskIds.get('json-only'), strategy: 'volume_long_candle', timeframe: '1d' });
  expect(legacy.symbols.map((symbol: { symbol: string }) => symbol.symbol)).toEqual(['BTC_KRW', 'XRP_KRW']);
  for (const mode of modes) {
    const row = await jsonOnly.repository.get(taskIds.get(mode)!);
    expect(row).toMatchObject({ status: 'completed', metadata: expect.objectContaining({ storage_mode: mode }) });
    expect(row!.record_count).toBeGreaterThan(0);
  }
});

it('reads every task the same whichever mode wrote it and whichever mode serves it', async () => {
  const results = [];
  for (const writer of modes) {
    for (const reader of modes) {
      const response = await request(harnesses.get(reader)!.app).get(
        `/api/backtests/${taskIds.get(writer)}/result?max_points=50&trades_limit=20&trades_offset=3`,
      );
      expect(response.status).toBe(200);
      const { summary, trades, equity_curve } = response.body;
      results.push({ writer, reader, summary, trades, equity_curve });
    }
  }
  const reference = results[0];
  expect(reference.trades.rows.length).toBe(20);
  expect(reference.summary.length).toBe(2);
  for (const result of results) {
    expect(result.summary).toEqual(reference.summary);
    expect(result.trades).toEqual(reference.trades);
    expect(result.equity_curve).toEqual(reference.equity_curve);
  }
});
