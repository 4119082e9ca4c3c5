/**
 * Backups into the store: the backup workflow run for explicit dates on a worker (real Temporal, a
 * PostgreSQL database of this test's own, a local store with real backtest results, a sweep directory and
 * market data), pruned by BACKUP_RETENTION after each run; resumed after an interruption; and restored
 * into an empty database and an empty S3 store (moto), checksums verified, rows and files identical.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, type Pool } from 'pg';
import { freePort, startS3Server, type RunningService } from '../../scripts/lib/devServices';
import type { BackupWorkflowResult } from '../../src/contracts/backup';
import { writeSampleData } from '../../src/data/sampleData';
import { md5 } from '../../src/shared/checksum';
import { BACKUP_MANIFEST, backupPrefix, dumpDatabase, readBackupManifest, restoreBackup } from '../../src/storage/backup';
import { createPool } from '../../src/storage/database';
import { LocalBlobStore, S3BlobStore, type BlobStore } from '../../src/storage/providers';
import { backupWorkflow } from '../../src/workflows/backupWorkflow';
import { startBacktestWorkflow, startHarness, type Harness } from './harness';
import './awsCredentials';

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

async function allRows(pool: Pool, table: string): Promise<unknown[]> {
  const { rows } = await pool.query(`SELECT row_to_json(t)::text AS row FROM ${table} t ORDER BY 1`);
  return rows.map((row) => JSON.parse(row.row));
}

/** Every object of a store outside backups/, with its MD5. */
async function contents(store: BlobStore): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const { key } of store.listRecursive('')) {
    if (!key.startsWith('backups/')) files[key] = md5(await store.get(key));
  }
  return files;
}

const suffix = `${Date.now()}_${process.pid}`;
const names = { source: `backup_source_${suffix}`, target: `backup_target_${suffix}` };
const sourceRoot = join(process.env.TEST_SCRATCH!, `backup-${randomUUID()}`);
const sweepId = randomUUID();
let harness: Harness;
let source: LocalBlobStore;
let target: Pool;
let moto: RunningService;
let s3: S3BlobStore;

const runBackup = (date: string): Promise<BackupWorkflowResult> =>
  harness.client.workflow.execute(backupWorkflow, {
    args: [{ date }],
    taskQueue: harness.config.TEMPORAL_TASK_QUEUE,
    workflowId: `backup-${date}-${randomUUID()}`,
  });

beforeAll(async () => {
  await admin(`CREATE DATABASE ${names.source}`);
  await admin(`CREATE DATABASE ${names.target}`);
  target = createPool(databaseUrl(names.target));
  source = new LocalBlobStore(sourceRoot);
  moto = await startS3Server({ port: await freePort() });
  s3 = new S3BlobStore({ endpoint: moto.address, bucket: 'restored', prefix: 'platform', region: 'us-east-1', forcePathStyle: true });
  await s3.ensureBucket();
  await writeSampleData({
    store: source,
    symbols: ['BTC_KRW', 'ETH_KRW'],
    timeframes: ['1d'],
    startDate: '2023-01-01',
    endDate: '2024-12-31',
  });
  harness = await startHarness({ env: { DATA_ROOT: sourceRoot, DATABASE_URL: databaseUrl(names.source) } });
  // Two real results, and a sweep directory (sweeps are written by their own workflow: a stand-in here).
  for (const symbols of [['BTC_KRW'], ['BTC_KRW', 'ETH_KRW']]) {
    const handle = await startBacktestWorkflow(harness, {
      strategy: 'volume_zone_breakout',
      symbols,
      start_date: '2023-01-01',
      end_date: '2024-12-31',
      timeframe: '1d',
    });
    await handle.result();
  }
  await source.put(`sweeps/${sweepId}/manifest.json`, JSON.stringify({ sweep_id: sweepId, status: 'completed' }));
  await source.put(`sweeps/${sweepId}/sweep_results.parquet`, new Uint8Array([80, 65, 82, 49, 0, 1, 2, 80, 65, 82, 49]));
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  s3?.destroy();
  await moto?.stop();
  await target?.end();
  await admin(`DROP DATABASE IF EXISTS ${names.source} WITH (FORCE)`);
  await admin(`DROP DATABASE IF EXISTS ${names.target} WITH (FORCE)`);
});

describe('the backup workflow', () => {
  const dates = [
    '2024-11-30',
    '2024-12-31',
    '2025-06-30',
    '2025-12-31',
    '2026-01-15',
    '2026-01-31',
    '2026-02-28',
    '2026-03-01',
    '2026-03-02',
    '2026-03-05',
    '2026-03-08',
  ];

  it('backs up tables, tasks, sweeps and market data with checksums, and keeps what BACKUP_RETENTION (7d,3m,3y) says', async () => {
    const results: BackupWorkflowResult[] = [];
    for (const date of dates) results.push(await runBackup(date));
    const last = results.at(-1)!;
    const kept = ['2024-12-31', '2025-12-31', '2026-01-31', '2026-02-28', '2026-03-02', '2026-03-05', '2026-03-08'];
    console.log(
      `backups kept after the run of ${last.date}: ${last.kept.join(', ')}; removed over all runs: ${results.flatMap((r) => r.removed).join(', ')}`,
    );
    expect(last.kept).toEqual(kept);
    expect(await source.list('backups')).toEqual(kept);
    expect(results.flatMap((result) => result.removed).sort()).toEqual(['2024-11-30', '2025-06-30', '2026-01-15', '2026-03-01']);

    const manifest = await readBackupManifest(source, '2026-03-08');
    expect(manifest.database.tables.map((table) => [table.table, table.rows])).toEqual(
      expect.arrayContaining([
        ['backtest_results', 2],
        ['schema_migrations', expect.any(Number)],
      ]),
    );
    const backedUp = Object.fromEntries(manifest.files.map((file) => [file.path.replace(/^data\//, ''), file.md5]));
    expect(backedUp).toEqual(await contents(source));
    expect(Object.keys(backedUp)).toEqual(
      expect.arrayContaining([`sweeps/${sweepId}/manifest.json`, 'BTC_KRW/1D/2024.parquet', 'ETH_KRW/1D/2023.parquet']),
    );
    expect(manifest.consistency).toEqual({ rows_without_directory: [], directories_without_row: [], vanished_during_copy: [] });
    for (const file of manifest.files) expect(md5(await source.get(`backups/2026-03-08/${file.path}`))).toBe(file.md5);
  }, 180_000);

  it('does nothing more for a date already backed up', async () => {
    const again = await runBackup('2026-03-08');
    expect(again).toMatchObject({ files: 0, copied: 0, manifest_files: (await readBackupManifest(source, '2026-03-08')).files.length });
  }, 60_000);

  it('resumes an interrupted backup, skipping the files already copied', async () => {
    const date = '2026-03-09';
    // A run that died after dumping and copying the task files, before writing their listing.
    await dumpDatabase({ store: source, pool: harness.pool, date });
    const copied = await backupPrefix({ store: source, date, prefix: 'tasks' });
    await source.remove(`backups/${date}/listings/tasks.json`);
    const resumed = await runBackup(date);
    expect(resumed.skipped).toBe(copied.files);
    expect(resumed.copied).toBe(resumed.files - copied.files);
    expect(resumed.kept).toContain(date);
  }, 60_000);
});

describe('restore', () => {
  it('restores into an empty database and an empty S3 store: same rows, same files', async () => {
    const report = await restoreBackup({ from: source, date: '2026-03-08', to: s3, pool: target });
    expect(report).toMatchObject({ rows: 2, files: (await readBackupManifest(source, '2026-03-08')).files.length });
    const sourcePool = createPool(databaseUrl(names.source));
    try {
      expect(await allRows(target, 'backtest_results')).toEqual(await allRows(sourcePool, 'backtest_results'));
    } finally {
      await sourcePool.end();
    }
    expect(await contents(s3)).toEqual(await contents(source));
  }, 60_000);

  it('refuses a non-empty target unless forced', async () => {
    await expect(restoreBackup({ from: source, date: '2026-03-08', to: s3, pool: target })).rejects.toThrow(
      /the target store s3:\/\/restored\/platform .* is not empty \(tasks, sweeps, BTC_KRW, ETH_KRW\); use --force/,
    );
    const empty = new LocalBlobStore(join(process.env.TEST_SCRATCH!, `empty-${randomUUID()}`));
    await expect(restoreBackup({ from: source, date: '2026-03-08', to: empty, pool: target })).rejects.toThrow(
      'table backtest_results of the target database has 2 rows; use --force to replace them',
    );
    await target.query(`UPDATE backtest_results SET strategy = 'changed'`);
    await s3.put('tasks/stray/file.txt', 'not in the backup');
    await restoreBackup({ from: source, date: '2026-03-08', to: s3, pool: target, force: true });
    expect(await contents(s3)).toEqual(await contents(source));
    expect((await target.query(`SELECT count(*)::int AS n FROM backtest_results WHERE strategy = 'changed'`)).rows[0].n).toBe(0);
  }, 60_000);

  it('refuses a tampered backup, naming the damaged file, through npm run restore', async () => {
    const manifest = await readBackupManifest(source, '2026-03-08');
    const victim = manifest.files.find((file) => file.path.endsWith('symbol_signals.parquet'))!;
    const key = `backups/2026-03-08/${victim.path}`;
    await source.put(key, Buffer.concat([await source.get(key), Buffer.from('x')]));
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/restore.ts',
        '--date',
        '2026-03-08',
        '--from',
        'local',
        '--from-root',
        sourceRoot,
        '--to',
        'local',
        '--to-root',
        join(process.env.TEST_SCRATCH!, `never-${randomUUID()}`),
        '--database-url',
        databaseUrl(names.target),
      ],
      { cwd: join(__dirname, '..', '..') },
    ).catch((error) => error);
    expect(stdout).toBe('');
    expect(stderr).toContain(`restore failed: backup file damaged: ${victim.path}`);
    await source.remove(`backups/2026-03-08/${BACKUP_MANIFEST}`);
    await expect(restoreBackup({ from: source, date: '2026-03-08', to: s3, pool: target, force: true })).rejects.toThrow(
      'holds no finished backup 2026-03-08',
    );
  }, 60_000);
});
