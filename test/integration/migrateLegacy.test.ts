/**
 * The legacy result.json migration against a real PostgreSQL: a generated set of predecessor task
 * directories (good ones of varied sizes, broken ones of every kind), dry run, real run, re-run, --force.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { mulberry32 } from '../../src/data/sampleData';
import { LocalBlobStore } from '../../src/storage/providers';
import { BacktestResultsRepository } from '../../src/storage/backtestResults';
import { createPool, runMigrations } from '../../src/storage/database';
import type { LegacyResultJson } from '../../src/storage/legacy/legacyResult';
import { formatMigrationReport, migrateLegacyResults, type LegacyMigrationOptions } from '../../src/storage/legacy/migrateLegacy';
import { readPerformanceCurve, readSymbolSignals, readSymbolSummary } from '../../src/storage/resultTables';
import { md5 } from '../../src/shared/checksum';
import { describeFilesUnder } from './fileTree';

const SYMBOLS = ['BTC_KRW', 'ETH_KRW', 'XRP_KRW', 'SOL_KRW', 'DOGE_KRW'];
const DAY_MS = 86_400_000;

/** A result.json as the predecessor wrote it: fractions for win_rate and return_pct, a per-trade growth curve. */
function legacyResult(seed: number, symbolCount: number, tradesPerSymbol: number): LegacyResultJson {
  const random = mulberry32(seed);
  const symbols = SYMBOLS.slice(0, symbolCount).map((symbol, s) => {
    let price = [50_000_000, 3_000_000, 700, 150_000, 150][s];
    let equity = 1;
    let peak = 1;
    let maxDrawdown = 0;
    const signals = [];
    const curve = [];
    for (let k = 0; k < tradesPerSymbol; k++) {
      const time = new Date(Date.UTC(2021, 0, 1) + (k * 2 + s) * DAY_MS);
      const entry = Math.round(price * (1 + (random() - 0.45) * 0.05));
      const exit = Math.round(entry * (1 + (random() - 0.48) * 0.08));
      const returnFraction = Math.round((exit / entry - 1) * 1e6) / 1e6;
      price = exit;
      equity *= 1 + returnFraction;
      peak = Math.max(peak, equity);
      maxDrawdown = Math.max(maxDrawdown, ((peak - equity) / peak) * 100);
      signals.push({
        symbol,
        type: 'buy',
        timestamp: time.toISOString().slice(0, 19),
        entry_price: entry,
        exit_price: exit,
        return_pct: returnFraction,
      });
      curve.push({ timestamp: time.toISOString().slice(0, 10), equity, drawdown: null });
    }
    const returns = signals.map((signal) => signal.return_pct);
    return {
      symbol,
      signals,
      win_rate: returns.length ? returns.filter((r) => r > 0).length / returns.length : 0,
      avg_return: returns.length ? (returns.reduce((a, b) => a + b, 0) / returns.length) * 100 : 0,
      max_drawdown: maxDrawdown,
      avg_hold_bars: returns.length ? 1 : 0,
      performance_curve: curve.length ? curve : null,
    };
  });
  return {
    version: '1.1.0',
    run_id: randomUUID(),
    strategy: seed % 2 ? 'volume_zone_breakout' : 'volume_long_candle',
    params: { volume_window: 10, top_percentile: 0.2, breakout_buffer: 0 },
    start_date: '2021-01-01',
    end_date: '2024-12-31',
    timeframe: '1d',
    symbols,
    total_signals: symbols.reduce((sum, symbol) => sum + symbol.signals.length, 0),
    execution_time: 0.5 + seed / 10,
    metadata: { execution_date: `2025-11-0${1 + (seed % 9)}T10:35:20.654321Z`, environment: 'production', execution_host: 'coin-worker-1' },
    description: null,
  };
}

/** The predecessor's manifest.json for a task (seeds/manifest-schema.ko.md). */
function legacyManifest(taskId: string, result: LegacyResultJson, json: string) {
  return {
    task_id: taskId,
    status: 'completed',
    strategy: result.strategy,
    params: result.params,
    symbols: result.symbols.map((s) => s.symbol),
    start_date: result.start_date,
    end_date: result.end_date,
    timeframe: result.timeframe,
    result_files: [{ name: 'result.json', path: 'result.json', size_bytes: Buffer.byteLength(json), checksum: md5(json) }],
    metadata: {
      started_at: '2025-11-04T10:30:45.123456Z',
      finished_at: '2025-11-04T10:35:20.654321Z',
      duration_ms: 275531,
      execution_host: 'coin-worker-1',
      environment: 'production',
      worker_id: 'worker-0',
    },
    summary: {
      total_signals: result.total_signals,
      symbols_processed: result.symbols.length,
      symbols_failed: 0,
      average_execution_time_per_symbol_ms: 10,
    },
    error: { occurred: false, message: null },
  };
}

interface LegacySet {
  tasksDir: string;
  good: Map<string, LegacyResultJson>;
  broken: Record<'truncated' | 'wrongTypes' | 'empty' | 'noResult' | 'notUuid', string>;
  currentFormat: string;
}

/** 20 good task directories of varied sizes (some with a manifest, some pretty-printed) and the broken kinds. */
function writeLegacySet(tasksDir: string): LegacySet {
  const write = (name: string, files: Record<string, string>) => {
    mkdirSync(join(tasksDir, name), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(tasksDir, name, file), text);
  };
  const good = new Map<string, LegacyResultJson>();
  for (let i = 0; i < 20; i++) {
    const taskId = randomUUID();
    const result = legacyResult(i + 1, 1 + (i % 5), [0, 1, 3, 12, 40, 150, 600][i % 7]);
    const json = i % 3 === 0 ? JSON.stringify(result, null, 2) : JSON.stringify(result);
    write(taskId, {
      'result.json': json,
      ...(i % 2 ? { 'manifest.json': JSON.stringify(legacyManifest(taskId, result, json), null, 2) } : {}),
    });
    good.set(taskId, result);
  }
  const sample = JSON.stringify(legacyResult(99, 2, 30));
  const wrongTypes = legacyResult(98, 1, 5) as any;
  wrongTypes.symbols[0].signals[3].entry_price = String(wrongTypes.symbols[0].signals[3].entry_price);
  const broken = {
    truncated: randomUUID(),
    wrongTypes: randomUUID(),
    empty: randomUUID(),
    noResult: randomUUID(),
    notUuid: 'backtest-2025-11-04',
  };
  write(broken.truncated, { 'result.json': sample.slice(0, Math.floor(sample.length * 0.6)) });
  write(broken.wrongTypes, { 'result.json': JSON.stringify(wrongTypes) });
  write(broken.empty, { 'result.json': '' });
  write(broken.noResult, { 'manifest.json': '{}' });
  write(broken.notUuid, { 'result.json': sample });
  const currentFormat = randomUUID();
  write(currentFormat, { 'manifest.json': '{}', 'metadata.json': '{}' });
  return { tasksDir, good, broken, currentFormat };
}

/** Every file under a folder with its size and modification time: what "changes nothing" compares. */
function snapshot(root: string): Record<string, string> {
  return describeFilesUnder(root, (path) => {
    const stats = statSync(path);
    return `${stats.size}@${stats.mtimeMs}`;
  });
}

let pool: Pool;
let repository: BacktestResultsRepository;

beforeAll(async () => {
  pool = createPool(process.env.TEST_DATABASE_URL!);
  await runMigrations(pool);
  repository = new BacktestResultsRepository(pool);
});

afterAll(() => pool.end());

describe('migrating legacy result.json task directories', () => {
  const dataRoot = join(process.env.TEST_SCRATCH!, `migrate-${randomUUID()}`);
  const set = writeLegacySet(join(dataRoot, 'tasks'));
  const store = new LocalBlobStore(dataRoot);
  const backupDir = join(dataRoot, 'migration-backups', 'test');
  const options = (overrides: Partial<LegacyMigrationOptions> = {}): LegacyMigrationOptions => ({
    tasksDir: set.tasksDir,
    backupDir,
    batchSize: 7,
    ...overrides,
  });
  const goodIds = [...set.good.keys()];
  const taskPath = (taskId: string, file: string) => join(set.tasksDir, taskId, file);

  const expectBrokenOnesReported = (failed: { task: string; reason: string }[]) => {
    const reasons = Object.fromEntries(failed.map((problem) => [problem.task, problem.reason]));
    expect(Object.keys(reasons).sort()).toEqual(Object.values(set.broken).sort());
    expect(reasons[set.broken.truncated]).toMatch(
      /^corrupt JSON: \w+ at line 1, column \d+ \(character \d+ of \d+, the file ends early\)$/,
    );
    expect(reasons[set.broken.wrongTypes]).toMatch(
      /^schema violation: symbols\.0\.signals\.3\.entry_price: .*expected number, received string/,
    );
    expect(reasons[set.broken.empty]).toBe('empty file (0 characters)');
    expect(reasons[set.broken.noResult]).toBe('no result.json in the directory (it holds: manifest.json)');
    expect(reasons[set.broken.notUuid]).toMatch(/not a UUID/);
  };

  it('reports on a dry run what it would do, and changes nothing', async () => {
    const before = snapshot(dataRoot);
    const report = await migrateLegacyResults({ store, pool }, options({ dryRun: true, force: true }));
    expect(snapshot(dataRoot)).toEqual(before);
    expect(report).toMatchObject({ dry_run: true, found: 26 });
    expect(report.migrated.map((task) => task.task_id).sort()).toEqual([...goodIds].sort());
    expect(report.skipped).toEqual([{ task: set.currentFormat, reason: 'no result.json: a result in the current format' }]);
    expectBrokenOnesReported(report.failed);
    expect(report.parquet_bytes).toBeGreaterThan(0);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM backtest_results WHERE task_id = ANY($1::uuid[])', [goodIds]);
    expect(rows[0].n).toBe(0);
  });

  it('migrates every good task and reports each broken one with its reason, never stopping', async () => {
    const progress: number[] = [];
    const report = await migrateLegacyResults({ store, pool }, options({ onProgress: ({ done }) => progress.push(done) }));
    expect(progress).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(report.migrated).toHaveLength(20);
    expectBrokenOnesReported(report.failed);
    expect(report.json_bytes).toBe(goodIds.reduce((sum, id) => sum + statSync(taskPath(id, 'result.json')).size, 0));

    const text = formatMigrationReport(report);
    expect(text).toContain('  migrated: 20');
    expect(text).toContain(`    ${set.broken.empty}: empty file (0 characters)`);
    expect(text).toMatch(/size: JSON .* -> Parquet .*% of the JSON/);
  });

  it('writes Parquet tables that hold what the JSON held', async () => {
    for (const [taskId, result] of set.good) {
      const summary = await readSymbolSummary(readFileSync(taskPath(taskId, 'symbol_summary.parquet')));
      const signals = await readSymbolSignals(readFileSync(taskPath(taskId, 'symbol_signals.parquet')));
      const curve = await readPerformanceCurve(readFileSync(taskPath(taskId, 'performance_curve.parquet')));
      expect(summary.map((row) => row.symbol)).toEqual(result.symbols.map((s) => s.symbol));
      expect(signals.total).toBe(result.total_signals);
      expect(curve).toHaveLength(result.symbols.reduce((sum, s) => sum + (s.performance_curve?.length ?? 0), 0));
      result.symbols.forEach((symbol, s) => {
        expect(summary[s].win_rate).toBeCloseTo(symbol.win_rate * 100, 9);
        expect(summary[s].total_signals).toBe(symbol.signals!.length);
      });
      const firstSymbol = result.symbols[0];
      if (firstSymbol.signals!.length > 0) {
        const [legacy, row] = [firstSymbol.signals![firstSymbol.signals!.length - 1], signals.rows[firstSymbol.signals!.length - 1]];
        expect(row).toMatchObject({
          symbol: firstSymbol.symbol,
          signal_index: firstSymbol.signals!.length,
          entry_price: legacy.entry_price,
          exit_price: legacy.exit_price,
          status: 'closed',
        });
        expect(row.timestamp).toBe(`${legacy.timestamp}.000Z`);
        expect(row.return_pct).toBeCloseTo(legacy.return_pct * 100, 9);
        expect(curve[0].equity).toBe(firstSymbol.performance_curve![0].equity);
      }
    }
  });

  it('writes a manifest whose files and checksums are those on disk, keeping the original fields', async () => {
    for (const taskId of goodIds) {
      const manifest = JSON.parse(readFileSync(taskPath(taskId, 'manifest.json'), 'utf8'));
      expect(manifest.result_files.map((file: { name: string }) => file.name).sort()).toEqual([
        'metadata.json',
        'performance_curve.parquet',
        'result.json',
        'symbol_signals.parquet',
        'symbol_summary.parquet',
      ]);
      for (const file of manifest.result_files) {
        const bytes = readFileSync(taskPath(taskId, file.path));
        expect({ name: file.name, size: bytes.length, md5: md5(bytes) }).toEqual({
          name: file.name,
          size: file.size_bytes,
          md5: file.checksum,
        });
      }
      expect(manifest).toMatchObject({
        task_id: taskId,
        status: 'completed',
        metadata: { migrated_from: 'result.json', execution_host: 'coin-worker-1' },
      });
    }
    const withOriginal = goodIds[1];
    const manifest = JSON.parse(readFileSync(taskPath(withOriginal, 'manifest.json'), 'utf8'));
    expect(manifest.metadata).toMatchObject({ worker_id: 'worker-0', duration_ms: 275531, started_at: '2025-11-04T10:30:45.123456Z' });
    expect(manifest.summary.average_execution_time_per_symbol_ms).toBe(10);
  });

  it('upserts a completed row per task, dated when the predecessor finished it', async () => {
    for (const [taskId, result] of set.good) {
      const row = await repository.get(taskId);
      expect(row).toMatchObject({
        task_id: taskId,
        status: 'completed',
        strategy: result.strategy,
        symbols: result.symbols.map((s) => s.symbol),
        parquet_path: `tasks/${taskId}`,
        record_count: result.total_signals,
        metadata: { migrated_from: 'result.json', legacy_run_id: result.run_id, legacy_version: '1.1.0' },
      });
      expect(row!.metadata).not.toHaveProperty('expires_at');
      expect(row!.created_at).toBe(new Date(result.metadata!.execution_date!).toISOString().replace('Z', '000Z'));
    }
  });

  it('skips everything already imported on a second run', async () => {
    const report = await migrateLegacyResults({ store, pool }, options());
    expect(report.migrated).toEqual([]);
    expect(report.skipped).toHaveLength(21);
    expect(report.skipped.filter((problem) => problem.reason.startsWith('already imported'))).toHaveLength(20);
    expectBrokenOnesReported(report.failed);
  });

  it('imports again with --force, after copying the previous files to the backup folder', async () => {
    const taskId = goodIds[4];
    const previousSummary = readFileSync(taskPath(taskId, 'symbol_summary.parquet'));
    const changed = { ...set.good.get(taskId)!, strategy: 'volume_zone_breakout_v2' };
    writeFileSync(taskPath(taskId, 'result.json'), JSON.stringify(changed));
    await repository.setPinned(taskId, true);

    const report = await migrateLegacyResults({ store, pool }, options({ force: true }));
    expect(report.migrated).toHaveLength(20);
    expect(report.migrated.find((task) => task.task_id === taskId)!.notes).toEqual([`previous files copied to ${join(backupDir, taskId)}`]);
    expect(readFileSync(join(backupDir, taskId, 'symbol_summary.parquet'))).toEqual(previousSummary);
    expect(existsSync(join(backupDir, taskId, 'manifest.json'))).toBe(true);
    const row = await repository.get(taskId);
    expect(row).toMatchObject({ strategy: 'volume_zone_breakout_v2', metadata: { pinned: true } });
  });

  it('reads legacy directories from elsewhere and copies result.json into the data root', async () => {
    const elsewhere = join(process.env.TEST_SCRATCH!, `old-tasks-${randomUUID()}`);
    const taskId = randomUUID();
    mkdirSync(join(elsewhere, taskId), { recursive: true });
    writeFileSync(join(elsewhere, taskId, 'result.json'), JSON.stringify(legacyResult(7, 2, 4)));
    const report = await migrateLegacyResults({ store, pool }, options({ tasksDir: elsewhere }));
    expect(report.migrated.map((task) => task.task_id)).toEqual([taskId]);
    expect(readFileSync(taskPath(taskId, 'result.json'))).toEqual(readFileSync(join(elsewhere, taskId, 'result.json')));
    expect(existsSync(taskPath(taskId, 'symbol_signals.parquet'))).toBe(true);
  });

  it('reports a missing tasks directory instead of failing', async () => {
    const report = await migrateLegacyResults({ store, pool }, options({ tasksDir: join(dataRoot, 'nowhere') }));
    expect(report.found).toBe(0);
    expect(report.failed).toEqual([
      { task: join(dataRoot, 'nowhere'), reason: expect.stringMatching(/^cannot read the tasks directory: ENOENT/) },
    ]);
  });

  it('runs as a command line tool that exits 1 when a task failed', async () => {
    const run = promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/migrate-json-results.ts',
        '--data-root',
        dataRoot,
        '--database-url',
        process.env.TEST_DATABASE_URL!,
        '--dry-run',
      ],
      { cwd: join(__dirname, '..', '..') },
    );
    const failure = await run.then(
      () => undefined,
      (error) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stdout).toContain('(dry run: nothing written)');
    expect(failure.stdout).toContain('  skipped: 22');
    expect(failure.stdout).toContain(`    ${set.broken.notUuid}: directory name is not a UUID`);
  });
});
