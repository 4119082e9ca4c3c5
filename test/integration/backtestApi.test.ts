/**
 * The whole path on real components: REST submit -> Temporal workflow -> per-symbol activities ->
 * Parquet + manifest + PostgreSQL row -> REST status and result.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import type { Candles } from '../../src/engine/types';
import { createMarketData } from '../../src/services';
import { parquetToTable } from '../../src/shared/parquet';
import { startHarness, waitFor, type Harness } from './harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const submission = {
  strategy: 'volume_zone_breakout',
  params: { volume_window: 30 },
  symbols: ['BTC_KRW', 'ETH/KRW'],
  start_date: '2022-01-01',
  end_date: '2023-12-31',
  timeframe: '1d',
};

const btcRange = { symbol: 'BTC_KRW', timeframe: '1d', startDate: '2022-01-01', endDate: '2023-12-31' };

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

describe('a backtest submitted over REST', () => {
  let taskId: string;
  let finalStatus: any;

  beforeAll(async () => {
    const response = await request(harness.app).post('/api/backtests').send(submission);
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('queued');
    taskId = response.body.task_id;
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    finalStatus = (
      await waitFor(
        () => request(harness.app).get(`/api/backtests/${taskId}`),
        (r) => r.status === 200 && ['completed', 'failed'].includes(r.body.status),
      )
    ).body;
  });

  it('completes with per-symbol states, full progress and a result path', () => {
    expect(finalStatus).toMatchObject({
      task_id: taskId,
      status: 'completed',
      progress: 1,
      result_path: `tasks/${taskId}`,
      strategy: 'volume_zone_breakout',
      symbols: [
        { symbol: 'BTC_KRW', state: 'completed', progress: 1 },
        { symbol: 'ETH_KRW', state: 'completed', progress: 1 },
      ],
    });
    expect(finalStatus.links.temporal_ui).toContain(`/workflows/${taskId}`);
  });

  it('writes a manifest with the original fields, every applied parameter and true checksums', () => {
    const directory = join(harness.config.DATA_ROOT, 'tasks', taskId);
    const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest)).toEqual([
      'task_id',
      'status',
      'strategy',
      'params',
      'symbols',
      'start_date',
      'end_date',
      'timeframe',
      'result_files',
      'metadata',
      'summary',
      'error',
    ]);
    expect(manifest).toMatchObject({
      task_id: taskId,
      status: 'completed',
      strategy: 'volume_zone_breakout',
      symbols: ['BTC_KRW', 'ETH_KRW'],
      start_date: '2022-01-01',
      end_date: '2023-12-31',
      timeframe: '1d',
      summary: { symbols_processed: 2, symbols_failed: 0 },
      error: { occurred: false, message: null },
    });
    // Defaults are recorded beside the value the user gave, so the run can be repeated.
    expect(manifest.params).toMatchObject({
      volume_window: 30,
      top_percentile: 0.2,
      breakout_buffer: 0.01,
      hold_period_bars: 1,
      num_bins: 20,
      include_wicks: true,
      initial_capital: 100000,
      position_size: 1,
      fee_rate: 0.0005,
      slippage_bps: 0,
    });
    for (const key of ['started_at', 'finished_at']) {
      expect(manifest.metadata[key]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    }
    expect(manifest.metadata.duration_ms).toBeGreaterThanOrEqual(0);
    expect(typeof manifest.metadata.execution_host).toBe('string');
    expect(manifest.metadata.environment).toBe('test');
    // What a reproduction needs: the annualisation factor and the metric formulas' version.
    expect(manifest.metadata).toMatchObject({ periods_per_year: 365, metrics_version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(manifest.metadata.data_files.length).toBe(4); // two symbols x two year files
    expect(manifest.result_files.map((file: any) => file.name)).toEqual([
      'symbol_summary.parquet',
      'symbol_signals.parquet',
      'performance_curve.parquet',
      'metadata.json',
    ]);
    for (const file of manifest.result_files) {
      const bytes = readFileSync(join(directory, file.path));
      expect(file.path).not.toMatch(/^\//);
      expect(file.size_bytes).toBe(bytes.length);
      expect(file.checksum).toBe(md5(bytes));
    }
  });

  it('writes the three Parquet tables with the original schema and the expected row counts', () => {
    const directory = join(harness.config.DATA_ROOT, 'tasks', taskId);
    const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8'));
    const read = (name: string) => parquetToTable(readFileSync(join(directory, `${name}.parquet`)));
    const fields = (name: string) => read(name).schema.fields.map((field) => `${field.name}:${field.type}`);

    expect(fields('symbol_summary').slice(0, 12)).toEqual([
      'symbol:Utf8',
      'win_rate:Float64',
      'avg_return:Float64',
      'max_return:Float64',
      'min_return:Float64',
      'max_drawdown:Float64',
      'avg_hold_bars:Float64',
      'total_signals:Int32',
      'winning_signals:Int32',
      'losing_signals:Int32',
      'total_pnl:Float64',
      'total_pnl_pct:Float64',
    ]);
    expect(fields('symbol_signals')).toEqual([
      'symbol:Utf8',
      'signal_index:Int32',
      'timestamp:Timestamp<MICROSECOND>',
      'type:Utf8',
      'entry_price:Float64',
      'exit_price:Float64',
      'quantity:Float64',
      'return_pct:Float64',
      'hold_bars:Int32',
      'fee_amount:Float64',
      'slippage_amount:Float64',
      'status:Utf8',
      'exit_reason:Utf8',
      'exit_timestamp:Timestamp<MICROSECOND>',
    ]);
    expect(fields('performance_curve')).toEqual([
      'symbol:Utf8',
      'idx:Int32',
      'timestamp:Timestamp<MICROSECOND>',
      'equity:Float64',
      'drawdown:Float64',
      'cumulative_pnl:Float64',
      'cumulative_pnl_pct:Float64',
    ]);

    const summary = read('symbol_summary');
    expect(summary.numRows).toBe(2);
    const signals = read('symbol_signals');
    expect(signals.numRows).toBe(manifest.summary.total_signals);
    expect(signals.numRows).toBeGreaterThan(0);
    // 2022 and 2023 hold 730 daily candles per symbol.
    expect(read('performance_curve').numRows).toBe(2 * 730);

    const metadata = JSON.parse(readFileSync(join(directory, 'metadata.json'), 'utf8'));
    expect(metadata).toMatchObject({
      schema_version: '1.0',
      compression: 'snappy',
      task_id: taskId,
      parquet_files: {
        symbol_summary: { row_count: 2 },
        symbol_signals: { row_count: signals.numRows },
        performance_curve: { row_count: 1460 },
      },
    });
  });

  it('stores the task row in PostgreSQL as completed', async () => {
    const row = await harness.repository.get(taskId);
    expect(row).toMatchObject({
      task_id: taskId,
      strategy: 'volume_zone_breakout',
      symbols: ['BTC_KRW', 'ETH_KRW'],
      start_date: '2022-01-01',
      end_date: '2023-12-31',
      timeframe: '1d',
      status: 'completed',
      parquet_path: `tasks/${taskId}`,
    });
    expect(Number(row!.record_count)).toBeGreaterThan(0);
    expect(Number(row!.file_size)).toBeGreaterThan(0);
  });

  it('serves the stored result: summary per symbol, trades and the equity curve', async () => {
    const response = await request(harness.app).get(`/api/backtests/${taskId}/result?max_points=100`);
    expect(response.status).toBe(200);
    expect(response.body.summary.map((row: any) => row.symbol)).toEqual(['BTC_KRW', 'ETH_KRW']);
    expect(response.body.trades.total).toBeGreaterThan(0);
    expect(response.body.trades.rows[0]).toHaveProperty('entry_price');
    expect(response.body.equity_curve.length).toBeLessThanOrEqual(200);
    expect(response.body.equity_curve.length).toBeGreaterThan(0);
  });
});

describe("a finished task's candles", () => {
  let taskId: string;
  let bars: Candles;

  beforeAll(async () => {
    const response = await request(harness.app)
      .post('/api/backtests')
      .send({ ...submission, symbols: ['BTC_KRW'] });
    taskId = response.body.task_id;
    await waitFor(
      () => request(harness.app).get(`/api/backtests/${taskId}`),
      (r) => r.body.status === 'completed',
    );
    bars = (await createMarketData(harness.config, harness.store, pino({ level: 'silent' })).loadCandles(btcRange)).candles;
  });

  const candles = (query: Record<string, string | number>) => request(harness.app).get(`/api/backtests/${taskId}/candles`).query(query);

  it('serves every bar of the range the task read when they fit', async () => {
    const response = await candles({ symbol: 'BTC_KRW', max_points: 5000 });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      task_id: taskId,
      symbol: 'BTC_KRW',
      timeframe: '1d',
      bars: 730,
      bars_per_candle: 1,
      data_changed: false,
    });
    expect(response.body.candles).toHaveLength(730);
    expect(response.body.candles[0]).toEqual({
      timestamp: '2022-01-01T00:00:00.000Z',
      open: bars.open[0],
      high: bars.high[0],
      low: bars.low[0],
      close: bars.close[0],
      volume: bars.volume[0],
    });
    expect(response.body.candles[729].timestamp).toBe('2023-12-31T00:00:00.000Z');
  });

  it('merges runs of bars down to max_points: open of the first, extremes, close of the last, summed volume', async () => {
    const response = await candles({ symbol: 'BTC_KRW', max_points: 100 });
    expect(response.body).toMatchObject({ bars: 730, bars_per_candle: 8 });
    expect(response.body.candles).toHaveLength(92);
    const second = response.body.candles[1];
    const run = (column: Float64Array) => Array.from(column.subarray(8, 16));
    expect(second).toEqual({
      timestamp: new Date(bars.timestamp[8]).toISOString(),
      open: bars.open[8],
      high: Math.max(...run(bars.high)),
      low: Math.min(...run(bars.low)),
      close: bars.close[15],
      volume: run(bars.volume).reduce((sum, value) => sum + value, 0),
    });
  });

  it('narrows to the bars between from and to, both included', async () => {
    const response = await candles({ symbol: 'BTC_KRW', from: '2023-03-01T00:00:00Z', to: '2023-03-10T00:00:00Z' });
    expect(response.body.bars).toBe(10);
    expect(response.body.candles.map((candle: { timestamp: string }) => candle.timestamp.slice(0, 10))).toEqual(
      Array.from({ length: 10 }, (_, day) => `2023-03-${String(day + 1).padStart(2, '0')}`),
    );
  });

  it('refuses a symbol the task does not have, and a task that does not exist', async () => {
    const other = await candles({ symbol: 'ETH_KRW' });
    expect(other.status).toBe(422);
    expect(other.body.message).toBe(`symbol ETH_KRW is not part of task ${taskId}; its symbols: BTC_KRW`);
    expect((await request(harness.app).get('/api/backtests/00000000-0000-4000-8000-000000000000/candles?symbol=BTC_KRW')).status).toBe(404);
  });

  it('gives each closed trade the time of its exit bar', async () => {
    const result = await request(harness.app).get(`/api/backtests/${taskId}/result`).query({ max_points: 2 });
    const trades = result.body.trades.rows as { timestamp: string; exit_timestamp: string | null; hold_bars: number; status: string }[];
    expect(trades.length).toBeGreaterThan(0);
    for (const trade of trades) {
      // daily bars without gaps: the exit is hold_bars days after the entry
      const expected = trade.status === 'open' ? null : new Date(Date.parse(trade.timestamp) + trade.hold_bars * 86_400_000).toISOString();
      expect(trade.exit_timestamp).toBe(expected);
    }
  });
});

describe('the API', () => {
  it('answers health and readiness', async () => {
    expect((await request(harness.app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(harness.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });

  it('lists the available symbols with their timeframes and ranges', async () => {
    const response = await request(harness.app).get('/api/data/symbols');
    expect(response.status).toBe(200);
    const btc = response.body.symbols.find((entry: any) => entry.symbol === 'BTC_KRW');
    expect(btc.timeframes).toEqual(
      expect.arrayContaining([expect.objectContaining({ timeframe: '1d', start_date: '2021-01-01', end_date: '2024-12-31' })]),
    );
  });

  it('rejects an invalid submission with 422 and one detail per bad field', async () => {
    const response = await request(harness.app)
      .post('/api/backtests')
      .send({ ...submission, params: { volume_window: -5 }, end_date: '2021-01-01', timeframe: '2h' });
    expect(response.status).toBe(422);
    const fields = response.body.details.map((detail: any) => detail.field);
    expect(fields).toEqual(expect.arrayContaining(['params.volume_window', 'timeframe']));
    expect(response.body.message).toContain('timeframe');
  });

  it('rejects an unknown symbol with 422 naming it', async () => {
    const response = await request(harness.app)
      .post('/api/backtests')
      .send({ ...submission, symbols: ['DOGE_KRW'] });
    expect(response.status).toBe(422);
    expect(response.body.details[0]).toEqual({ field: 'symbols.0', message: expect.stringContaining('DOGE_KRW') });
  });

  it('answers 404 for an unknown task and for a non-UUID id', async () => {
    expect((await request(harness.app).get('/api/backtests/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const bad = await request(harness.app).get('/api/backtests/..%2F..%2Fetc');
    expect(bad.status).toBe(404);
    expect(bad.body.error).toBe('task_not_found');
  });
});
