/**
 * Backup and restore between two fresh databases on the test PostgreSQL server and two data roots:
 * the rows and the files come back identical, with pg_dump and with the JSON dump; a damaged backup,
 * a non-empty target and an unfinished backup are refused.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, type Pool } from 'pg';
import { writeSampleData } from '../../src/data/sampleData';
import { BACKUP_MANIFEST, createBackup, findPgTool, restoreBackup, type BackupManifest } from '../../src/storage/backup';
import { LocalBlobStore } from '../../src/storage/providers';
import { BacktestResultsRepository } from '../../src/storage/backtestResults';
import { createPool, runMigrations } from '../../src/storage/database';
import { migrateLegacyResults } from '../../src/storage/legacy/migrateLegacy';
import { md5 } from '../../src/shared/checksum';
import { describeFilesUnder } from './fileTree';

/** Databases are created on the server of the test database, through its `postgres` database. */
function databaseUrl(name: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Every file under a folder with its MD5. */
const checksums = (root: string) => describeFilesUnder(root, (path) => md5(readFileSync(path)));

async function allRows(pool: Pool): Promise<unknown[]> {
  const { rows } = await pool.query('SELECT row_to_json(t)::text AS row FROM backtest_results t ORDER BY task_id');
  return rows.map((row) => JSON.parse(row.row));
}

/** A small result.json in the predecessor's shape, imported by the migration to make real task directories. */
function legacyResult(symbol: string, trades: number) {
  return {
    strategy: 'volume_long_candle',
    start_date: '2024-01-01',
    end_date: '2024-06-30',
    timeframe: '1d',
    symbols: [
      {
        symbol,
        win_rate: 0.5,
        avg_return: 1.2,
        max_drawdown: 3.4,
        avg_hold_bars: 1,
        signals: Array.from({ length: trades }, (_, k) => ({
          timestamp: `2024-02-${String(k + 1).padStart(2, '0')}`,
          type: 'buy',
          entry_price: 100 + k,
          exit_price: 101 + k,
          return_pct: 0.01,
        })),
      },
    ],
  };
}

const suffix = `${Date.now()}_${process.pid}`;
const names = { source: `backup_source_${suffix}`, target: `backup_target_${suffix}` };
const scratch = join(process.env.TEST_SCRATCH!, `backup-${randomUUID()}`);
const sourceRoot = join(scratch, 'source-data');
const targetRoot = join(scratch, 'target-data');
let source: Pool;
let target: Pool;

beforeAll(async () => {
  await admin(`CREATE DATABASE ${names.source}`);
  await admin(`CREATE DATABASE ${names.target}`);
  source = createPool(databaseUrl(names.source));
  target = createPool(databaseUrl(names.target));
  await runMigrations(source);

  await writeSampleData({
    store: new LocalBlobStore(sourceRoot),
    symbols: ['BTC_KRW', 'ETH_KRW'],
    timeframes: ['1d'],
    startDate: '2023-01-01',
    endDate: '2024-12-31',
  });
  const legacyTasks = join(scratch, 'legacy-tasks');
  for (const [i, symbol] of ['BTC_KRW', 'ETH_KRW', 'XRP_KRW'].entries()) {
    const directory = join(legacyTasks, randomUUID());
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'result.json'), JSON.stringify(legacyResult(symbol, 3 + i)));
  }
  const report = await migrateLegacyResults(
    { store: new LocalBlobStore(sourceRoot), pool: source },
    { tasksDir: legacyTasks, backupDir: join(scratch, 'unused') },
  );
  expect(report.migrated).toHaveLength(3);
  // A task still running (a row, no files yet), and a pinned one.
  const repository = new BacktestResultsRepository(source);
  await repository.insertRunning({
    task_id: randomUUID(),
    strategy: 'volume_zone_breakout',
    symbols: ['BTC_KRW'],
    start_date: '2024-01-01',
    end_date: '2024-12-31',
    timeframe: '1h',
    parquet_path: `tasks/${randomUUID()}`,
  });
  await repository.setPinned(report.migrated[0].task_id, true);
});

afterAll(async () => {
  await Promise.all([source.end(), target.end()]);
  await admin(`DROP DATABASE IF EXISTS ${names.source} WITH (FORCE)`);
  await admin(`DROP DATABASE IF EXISTS ${names.target} WITH (FORCE)`);
  rmSync(scratch, { recursive: true, force: true });
});

describe('backup and restore', () => {
  let pgDumpBackup: BackupManifest;
  const pgDumpOut = join(scratch, 'backup-pg-dump');
  const jsonOut = join(scratch, 'backup-json');

  it('picks the pg_dump of the lowest major version that can dump the server', async () => {
    const { rows } = await source.query(`SELECT current_setting('server_version_num')::int / 10000 AS major`);
    const tool = await findPgTool('pg_dump', rows[0].major);
    if (tool) expect(tool.major).toBeGreaterThanOrEqual(rows[0].major);
    expect(await findPgTool('pg_dump', 999)).toBeUndefined();
  });

  it('writes the dump, every file and a manifest of their checksums', async () => {
    pgDumpBackup = await createBackup({ pool: source, databaseUrl: databaseUrl(names.source), dataRoot: sourceRoot, out: pgDumpOut });
    const { rows } = await source.query(`SELECT current_setting('server_version_num')::int / 10000 AS major`);
    // pg_dump when one fits the server (PostgreSQL 15 here), the JSON dump otherwise (an embedded PostgreSQL 18).
    expect(pgDumpBackup.database_dump.format).toBe((await findPgTool('pg_dump', rows[0].major)) ? 'pg_dump-custom' : 'json');
    const sourceFiles = checksums(sourceRoot);
    expect(Object.fromEntries(pgDumpBackup.files.map((file) => [file.path.replace(/^data\//, ''), file.md5]))).toEqual(sourceFiles);
    expect(Object.keys(sourceFiles).some((path) => path.startsWith('BTC_KRW/1D/'))).toBe(true);
    expect(pgDumpBackup.database_dump).toMatchObject({ rows: { backtest_results: 4, schema_migrations: 1 }, schema_versions: [1] });
    expect(md5(readFileSync(join(pgDumpOut, pgDumpBackup.database_dump.path)))).toBe(pgDumpBackup.database_dump.md5);
    // The running task has a row and no directory yet.
    expect(pgDumpBackup.consistency.rows_without_directory).toHaveLength(1);
    expect(pgDumpBackup.consistency.directories_without_row).toEqual([]);
    expect(JSON.parse(readFileSync(join(pgDumpOut, BACKUP_MANIFEST), 'utf8')).source.database).not.toContain(':postgres@');
  });

  it('restores into an empty database and data root: same rows, same files', async () => {
    const report = await restoreBackup({ from: pgDumpOut, dataRoot: targetRoot, pool: target, databaseUrl: databaseUrl(names.target) });
    expect(report).toMatchObject({ rows: 4, files: pgDumpBackup.files.length });
    expect(await allRows(target)).toEqual(await allRows(source));
    expect(checksums(targetRoot)).toEqual(checksums(sourceRoot));
  });

  it('refuses a non-empty target unless forced', async () => {
    const restore = (force: boolean) =>
      restoreBackup({ from: pgDumpOut, dataRoot: targetRoot, pool: target, databaseUrl: databaseUrl(names.target), force });
    await expect(restore(false)).rejects.toThrow(/data root .* is not empty/);
    const emptyRoot = join(scratch, 'empty-root');
    await expect(
      restoreBackup({ from: pgDumpOut, dataRoot: emptyRoot, pool: target, databaseUrl: databaseUrl(names.target) }),
    ).rejects.toThrow('table backtest_results of the target database has 4 rows; use --force to replace them');
  });

  it('does the same with rows dumped as JSON, restored over the previous restore with --force', async () => {
    const manifest = await createBackup({
      pool: source,
      databaseUrl: databaseUrl(names.source),
      dataRoot: sourceRoot,
      out: jsonOut,
      dumpFormat: 'json',
    });
    expect(manifest.database_dump).toMatchObject({ format: 'json', tool: null, path: 'database.json' });
    writeFileSync(join(targetRoot, 'tasks', 'stray.txt'), 'not in the backup');
    await target.query(`UPDATE backtest_results SET strategy = 'changed'`);

    await restoreBackup({ from: jsonOut, dataRoot: targetRoot, pool: target, databaseUrl: databaseUrl(names.target), force: true });
    expect(await allRows(target)).toEqual(await allRows(source));
    expect(checksums(targetRoot)).toEqual(checksums(sourceRoot));
  });

  it('refuses a tampered backup, naming the damaged file, and changes nothing', async () => {
    const tampered = join(scratch, 'backup-tampered');
    cpSync(pgDumpOut, tampered, { recursive: true });
    const victim = pgDumpBackup.files.find((file) => file.path.endsWith('symbol_signals.parquet'))!;
    appendFileSync(join(tampered, victim.path), 'x');
    const emptyRoot = join(scratch, 'never-written');
    await expect(
      restoreBackup({ from: tampered, dataRoot: emptyRoot, pool: target, databaseUrl: databaseUrl(names.target), force: true }),
    ).rejects.toThrow(`backup file damaged: ${victim.path}`);
    expect(() => readdirSync(emptyRoot)).toThrow(/ENOENT/);

    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/restore.ts', '--from', tampered, '--data-root', emptyRoot, '--database-url', databaseUrl(names.target)],
      { cwd: join(__dirname, '..', '..') },
    ).catch((error) => error);
    expect(stdout).toBe('');
    expect(stderr).toContain(`restore failed: backup file damaged: ${victim.path}`);
  });

  it('refuses a folder without a finished backup manifest', async () => {
    rmSync(join(scratch, 'backup-tampered', BACKUP_MANIFEST));
    await expect(
      restoreBackup({ from: join(scratch, 'backup-tampered'), dataRoot: targetRoot, pool: target, databaseUrl: databaseUrl(names.target) }),
    ).rejects.toThrow(`is not a finished backup: it has no ${BACKUP_MANIFEST}`);
  });
});
