/**
 * Backups into the store and their restore (DESIGN.md section 13). One backup per UTC date:
 *
 *   backups/<YYYY-MM-DD>/
 *     database/<table>.jsonl      every table of the schema (discovered from the database), one JSON row per line
 *     database/summary.json       row counts, schema versions, the task ids of backtest_results
 *     data/tasks/...              the task directories (staging of running tasks left out)
 *     data/sweeps/...             the sweep directories
 *     data/<SYMBOL>/...           the market data, every symbol folder
 *     listings/<prefix>.json      what was copied of one source prefix (the resume checkpoint)
 *     backup-manifest.json        size and MD5 of every file above; written last: without it a backup is unfinished
 *
 * Steps, each idempotent and resumable, so a Temporal activity can run each and be retried
 * (backupWorkflow) and `npm run backup` can run them in a row: dumpDatabase, backupPrefix for each source
 * prefix, finishBackup, pruneBackups. A retried copy skips files the backup already holds with the same MD5;
 * a prefix whose listing is written is done.
 *
 * Consistency: the database is dumped first, in one REPEATABLE READ transaction, so all tables are one
 * instant; the files are copied after it. Result files are written once and made visible by their manifest
 * (written last), so a copied task directory is whole; a task that finished in between has a `running`
 * row and its final files, one deleted by cleanup in between has a row and no directory. The manifest
 * lists both kinds. Copying first and dumping second would instead miss the files of tasks finished during
 * the copy, whose rows say "completed": a dangling row is worse than an orphan directory.
 *
 * Rows are dumped as JSON rather than with pg_dump: the backup runs on any worker, which has no pg_dump of the
 * server's major version (the embedded PostgreSQL ships none), and the restore loads the rows into the schema
 * that this code's migrations create (a table dump alone cannot carry the trigger functions anyway), so a
 * backup restores into the same or a newer schema.
 */
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { listSymbols } from '../data/layout';
import { selectBackupsToKeep, type BackupRetention } from './backupRetention';
import { inTransaction, runMigrations } from './database';
import { migrations } from './migrations';
import { copyObject, objectMd5, putStreamWithMd5 } from './objectCopy';
import { BlobNotFoundError, type BlobStore } from './providers';
import { TEMPORARY_NAME_PATTERN } from './providers/keys';

export const BACKUPS_PREFIX = 'backups';
export const BACKUP_MANIFEST = 'backup-manifest.json';
const DATA_FOLDER = 'data';
const DATABASE_FOLDER = 'database';
const LISTINGS_FOLDER = 'listings';
const SUMMARY = `${DATABASE_FOLDER}/summary.json`;
/** Rows fetched from the server at once while dumping; a table of any size streams through in batches. */
const DUMP_BATCH_ROWS = 2000;
/** Rows inserted per statement while restoring. */
const RESTORE_BATCH_ROWS = 500;
/** The source prefixes besides the market data's symbol folders. */
const RESULT_PREFIXES = ['tasks', 'sweeps'];

export interface BackupFile {
  /** Relative to the backup folder (`data/tasks/<id>/manifest.json`, `database/backtest_results.jsonl`). */
  path: string;
  size_bytes: number;
  md5: string;
}

export interface DumpedTable extends BackupFile {
  table: string;
  rows: number;
}

export interface DatabaseSummary {
  server_version: string;
  database: string;
  tables: DumpedTable[];
  schema_versions: number[];
  /** Task ids of backtest_results at the dump's instant, for the consistency report. */
  task_ids: string[];
}

export interface PrefixListing {
  prefix: string;
  files: BackupFile[];
  /** Listed but gone before they could be copied (cleanup ran meanwhile). */
  vanished: string[];
}

export interface BackupManifest {
  format: 'backtest-platform-backup';
  format_version: 2;
  date: string;
  created_at: string;
  source: { host: string; store: string; database: string; server_version: string };
  database: { format: 'jsonl'; tables: DumpedTable[]; schema_versions: number[] };
  files: BackupFile[];
  consistency: {
    rows_without_directory: string[];
    directories_without_row: string[];
    vanished_during_copy: string[];
  };
}

/** What a step copied: for reports and the workflow's result. */
export interface CopyTally {
  files: number;
  bytes: number;
  copied: number;
  skipped: number;
}

export const backupFolder = (date: string) => `${BACKUPS_PREFIX}/${date}`;
const keyIn = (date: string, path: string) => `${backupFolder(date)}/${path}`;

async function readJson<T>(store: BlobStore, key: string): Promise<T | undefined> {
  try {
    return JSON.parse((await store.get(key)).toString('utf8')) as T;
  } catch (error) {
    if (error instanceof BlobNotFoundError) return undefined;
    throw error;
  }
}

/** The connection URL without its password, for the manifest. */
function withoutPassword(databaseUrl: string | undefined): string {
  if (!databaseUrl) return 'unknown';
  const url = new URL(databaseUrl);
  url.password = '';
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Backup steps

/** Every table of the schema the migrations created (schema_migrations included), in name order. */
async function schemaTables(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name as string);
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** One table as JSON lines, fetched through a cursor in batches: never the whole table in memory. */
function tableLines(client: pg.ClientBase, table: string, counted: { rows: number }, onBatch?: () => void): Readable {
  const cursor = `dump_${table.replace(/\W/g, '_')}`;
  async function* lines(): AsyncGenerator<Buffer> {
    await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM ${quoteIdentifier(table)} t`);
    try {
      for (;;) {
        const { rows } = await client.query(`FETCH ${DUMP_BATCH_ROWS} FROM ${cursor}`);
        if (rows.length === 0) return;
        counted.rows += rows.length;
        onBatch?.();
        yield Buffer.from(rows.map((row) => `${row.row}\n`).join(''));
      }
    } finally {
      await client.query(`CLOSE ${cursor}`);
    }
  }
  return Readable.from(lines());
}

/**
 * Dumps every table into `backups/<date>/database/` (step 1). Done once per date: a second call returns
 * the summary written by the first. `onProgress` is called per batch of rows (heartbeats).
 */
export async function dumpDatabase(options: {
  store: BlobStore;
  pool: pg.Pool;
  date: string;
  databaseUrl?: string;
  onProgress?: () => void;
}): Promise<DatabaseSummary> {
  const { store, pool, date } = options;
  const done = await readJson<DatabaseSummary>(store, keyIn(date, SUMMARY));
  if (done) return done;
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: version } = await client.query(`SELECT current_setting('server_version') AS text`);
    const tables: DumpedTable[] = [];
    for (const table of await schemaTables(client)) {
      const counted = { rows: 0 };
      const path = `${DATABASE_FOLDER}/${table}.jsonl`;
      const dumped = await putStreamWithMd5(store, keyIn(date, path), tableLines(client, table, counted, options.onProgress));
      tables.push({ table, path, ...dumped, rows: counted.rows });
    }
    const names = tables.map((table) => table.table);
    const schemaVersions = names.includes('schema_migrations')
      ? (await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((row) => Number(row.version))
      : [];
    const taskIds = names.includes('backtest_results')
      ? (await client.query('SELECT task_id::text AS id FROM backtest_results ORDER BY task_id')).rows.map((row) => row.id as string)
      : [];
    await client.query('COMMIT');
    const summary: DatabaseSummary = {
      server_version: version[0].text,
      database: withoutPassword(options.databaseUrl),
      tables,
      schema_versions: schemaVersions,
      task_ids: taskIds,
    };
    await store.put(keyIn(date, SUMMARY), JSON.stringify(summary));
    return summary;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The prefixes a backup copies: tasks/, sweeps/ and every market-data symbol folder that the store holds. */
export async function backupSourcePrefixes(store: BlobStore): Promise<string[]> {
  const topLevel = new Set(await store.list(''));
  return [...RESULT_PREFIXES.filter((prefix) => topLevel.has(prefix)), ...(await listSymbols(store))];
}

/** Files of a prefix that a backup leaves out: staging of running tasks, and temporaries. */
const leftOut = (key: string) => key.includes('/staging/') || key.split('/').some((segment) => TEMPORARY_NAME_PATTERN.test(segment));

/**
 * Copies everything under `prefix` into `backups/<date>/data/<prefix>/` (step 2, once per prefix) and
 * writes the prefix's listing. A prefix with a listing is done; a retried one skips the files already copied.
 */
export async function backupPrefix(options: {
  store: BlobStore;
  date: string;
  prefix: string;
  onProgress?: () => void;
}): Promise<{ prefix: string; vanished: string[] } & CopyTally> {
  const { store, date, prefix } = options;
  const listingKey = keyIn(date, `${LISTINGS_FOLDER}/${prefix}.json`);
  const done = await readJson<PrefixListing>(store, listingKey);
  if (done) return { prefix, vanished: done.vanished, ...tally(done.files, done.files.length) };
  const listing: PrefixListing = { prefix, files: [], vanished: [] };
  let skipped = 0;
  for await (const object of store.listRecursive(prefix)) {
    if (leftOut(object.key)) continue;
    const path = `${DATA_FOLDER}/${object.key}`;
    try {
      const copied = await copyObject(store, object.key, store, keyIn(date, path), {
        skipIdentical: true,
        sourceInfo: object,
        onBytes: options.onProgress,
      });
      if (copied.skipped) skipped++;
      listing.files.push({ path, size_bytes: copied.size_bytes, md5: copied.md5 });
    } catch (error) {
      if (!(error instanceof BlobNotFoundError)) throw error;
      listing.vanished.push(object.key);
    }
    options.onProgress?.();
  }
  await store.put(listingKey, JSON.stringify(listing));
  return { prefix, vanished: listing.vanished, ...tally(listing.files, skipped) };
}

function tally(files: BackupFile[], skipped: number): CopyTally {
  return { files: files.length, bytes: files.reduce((sum, file) => sum + file.size_bytes, 0), copied: files.length - skipped, skipped };
}

/**
 * Writes the backup's manifest from the dump's summary and the prefixes' listings (step 3). Once written,
 * the backup is finished: a second call returns it.
 */
export async function finishBackup(options: { store: BlobStore; date: string; createdAt?: string }): Promise<BackupManifest> {
  const { store, date } = options;
  const done = await readJson<BackupManifest>(store, keyIn(date, BACKUP_MANIFEST));
  if (done) return done;
  const summary = await readJson<DatabaseSummary>(store, keyIn(date, SUMMARY));
  if (!summary) throw new Error(`backup ${date} has no database dump yet: dump the database before finishing the backup`);
  const listings: PrefixListing[] = [];
  for (const name of await store.list(keyIn(date, LISTINGS_FOLDER))) {
    listings.push((await readJson<PrefixListing>(store, keyIn(date, `${LISTINGS_FOLDER}/${name}`)))!);
  }
  const files = listings.flatMap((listing) => listing.files).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const taskIds = new Set(summary.task_ids);
  const directories = new Set(
    files.map((file) => /^data\/tasks\/([^/]+)\//.exec(file.path)?.[1]).filter((id): id is string => id !== undefined),
  );
  const manifest: BackupManifest = {
    format: 'backtest-platform-backup',
    format_version: 2,
    date,
    created_at: options.createdAt ?? new Date().toISOString(),
    source: { host: hostname(), store: store.description, database: summary.database, server_version: summary.server_version },
    database: { format: 'jsonl', tables: summary.tables, schema_versions: summary.schema_versions },
    files,
    consistency: {
      rows_without_directory: [...taskIds].filter((id) => !directories.has(id)).sort(),
      directories_without_row: [...directories].filter((id) => !taskIds.has(id.toLowerCase())).sort(),
      vanished_during_copy: listings.flatMap((listing) => listing.vanished).sort(),
    },
  };
  // Written last: a folder without it is an unfinished backup.
  await store.put(keyIn(date, BACKUP_MANIFEST), JSON.stringify(manifest, null, 2));
  return manifest;
}

/** Backup dates in the store with a manifest (finished) and without one (unfinished). */
export async function listBackups(store: BlobStore): Promise<{ finished: string[]; unfinished: string[] }> {
  const finished: string[] = [];
  const unfinished: string[] = [];
  for (const name of await store.list(BACKUPS_PREFIX)) {
    ((await store.stat(keyIn(name, BACKUP_MANIFEST))) ? finished : unfinished).push(name);
  }
  return { finished, unfinished };
}

/**
 * Removes the backups that BACKUP_RETENTION no longer keeps as of `today` (step 4; see backupRetention.ts
 * for the rule), and unfinished backups of other dates than today (a crashed run that never resumed).
 * Folders under backups/ that are not dates are left alone.
 */
export async function pruneBackups(options: {
  store: BlobStore;
  today: string;
  retention: BackupRetention;
}): Promise<{ kept: string[]; removed: string[] }> {
  const { store, today, retention } = options;
  const { finished, unfinished } = await listBackups(store);
  const { keep, remove } = selectBackupsToKeep(finished, today, retention);
  const stale = unfinished.filter((date) => date !== today && /^\d{4}-\d{2}-\d{2}$/.test(date));
  for (const date of [...remove, ...stale]) await store.remove(backupFolder(date));
  return { kept: keep, removed: [...remove, ...stale].sort() };
}

/** The whole backup of one date in this process (`npm run backup`): the same steps as backupWorkflow. */
export async function runBackup(options: {
  store: BlobStore;
  pool: pg.Pool;
  date: string;
  databaseUrl?: string;
  retention?: BackupRetention;
}): Promise<{ manifest: BackupManifest; tally: CopyTally; pruned?: { kept: string[]; removed: string[] } }> {
  const { store, date } = options;
  await dumpDatabase(options);
  const total: CopyTally = { files: 0, bytes: 0, copied: 0, skipped: 0 };
  const alreadyFinished = await store.stat(keyIn(date, BACKUP_MANIFEST));
  for (const prefix of alreadyFinished ? [] : await backupSourcePrefixes(store)) {
    const part = await backupPrefix({ store, date, prefix });
    for (const field of ['files', 'bytes', 'copied', 'skipped'] as const) total[field] += part[field];
  }
  const manifest = await finishBackup({ store, date });
  const pruned = options.retention ? await pruneBackups({ store, today: date, retention: options.retention }) : undefined;
  return { manifest, tally: total, pruned };
}

// ---------------------------------------------------------------------------------------------
// Restore

export interface RestoreOptions {
  /** The store that holds `backups/<date>/`. */
  from: BlobStore;
  date: string;
  /** The store to restore the files into (may be the same store as `from`: backups/ is not touched). */
  to: BlobStore;
  pool: pg.Pool;
  /** Restore over a non-empty target: tables emptied, tasks/ and sweeps/ replaced, market data overwritten. */
  force?: boolean;
}

export interface RestoreReport {
  rows: number;
  tables: number;
  files: number;
  bytes: number;
}

export async function readBackupManifest(store: BlobStore, date: string): Promise<BackupManifest> {
  const manifest = await readJson<BackupManifest>(store, keyIn(date, BACKUP_MANIFEST));
  if (!manifest) throw new Error(`${store.description} holds no finished backup ${date}: ${keyIn(date, BACKUP_MANIFEST)} is missing`);
  // A restore writes each file to <path below data/>: nothing may point elsewhere.
  const escaping = manifest.files.find((file) => !file.path.startsWith(`${DATA_FOLDER}/`) || file.path.split('/').includes('..'));
  if (escaping) throw new Error(`${BACKUP_MANIFEST} lists a file outside ${DATA_FOLDER}/: ${escaping.path}`);
  return manifest;
}

/** Checks every file of a backup against its manifest; the error names the first file that differs. */
export async function verifyBackup(store: BlobStore, manifest: BackupManifest): Promise<void> {
  for (const expected of [...manifest.database.tables, ...manifest.files]) {
    const actual = await objectMd5(store, keyIn(manifest.date, expected.path)).catch((error) => {
      if (error instanceof BlobNotFoundError) return undefined;
      throw error;
    });
    if (!actual) throw new Error(`backup file missing: ${expected.path}`);
    if (actual.md5 !== expected.md5 || actual.size_bytes !== expected.size_bytes) {
      throw new Error(
        `backup file damaged: ${expected.path} (expected ${expected.size_bytes} bytes, MD5 ${expected.md5}; ` +
          `found ${actual.size_bytes} bytes, MD5 ${actual.md5})`,
      );
    }
  }
}

/** Top-level names of a store that a restore would write: results and market data. */
async function occupiedPrefixes(store: BlobStore): Promise<string[]> {
  return backupSourcePrefixes(store);
}

/** Rows of a table; 0 when it does not exist. */
async function countRows(pool: pg.Pool, table: string): Promise<number> {
  const { rows } = await pool.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [table]);
  if (!rows[0].present) return 0;
  return Number((await pool.query(`SELECT count(*) AS n FROM ${quoteIdentifier(table)}`)).rows[0].n);
}

/** JSON lines of an object, in batches of parsed rows. */
async function* rowBatches(store: BlobStore, key: string): AsyncGenerator<unknown[]> {
  let pending = '';
  let batch: unknown[] = [];
  for await (const chunk of await store.getStream(key)) {
    pending += (chunk as Buffer).toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (line === '') continue;
      batch.push(JSON.parse(line));
      if (batch.length === RESTORE_BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
  }
  if (pending !== '') batch.push(JSON.parse(pending));
  if (batch.length > 0) yield batch;
}

/**
 * Restores a backup: checks every checksum, then the files (a row never points at files not there yet),
 * then the rows of every dumped table into the schema of this code's migrations, in one transaction.
 * Refuses a target whose tables or store hold data unless `force`.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  const { from, date, to, pool } = options;
  const manifest = await readBackupManifest(from, date);
  await verifyBackup(from, manifest);

  const newestKnown = Math.max(...migrations.map((migration) => migration.version));
  const newestInBackup = Math.max(0, ...manifest.database.schema_versions);
  if (newestInBackup > newestKnown) {
    throw new Error(
      `the backup has schema version ${newestInBackup}, newer than this code knows (${newestKnown}): restore it with newer code`,
    );
  }
  const dataTables = manifest.database.tables.filter((table) => table.table !== 'schema_migrations');
  const occupied = await occupiedPrefixes(to);
  if (occupied.length > 0 && !options.force) {
    throw new Error(`the target store ${to.description} is not empty (${occupied.slice(0, 5).join(', ')}); use --force to restore over it`);
  }
  for (const table of dataTables) {
    const rows = await countRows(pool, table.table);
    if (rows > 0 && !options.force)
      throw new Error(`table ${table.table} of the target database has ${rows} rows; use --force to replace them`);
  }

  if (options.force) for (const prefix of RESULT_PREFIXES) await to.remove(prefix);
  let bytes = 0;
  for (const file of manifest.files) {
    const copied = await copyObject(from, keyIn(date, file.path), to, file.path.slice(DATA_FOLDER.length + 1));
    if (copied.md5 !== file.md5) throw new Error(`restored file differs from the backup: ${file.path}`);
    bytes += copied.size_bytes;
  }

  await runMigrations(pool);
  let rows = 0;
  await inTransaction(pool, async (client) => {
    const known = new Set(await schemaTables(client));
    const missing = dataTables.filter((table) => !known.has(table.table)).map((table) => table.table);
    if (missing.length > 0)
      throw new Error(`the target schema has no table ${missing.join(', ')}; restore with the code that wrote the backup`);
    if (dataTables.length > 0) await client.query(`TRUNCATE ${dataTables.map((table) => quoteIdentifier(table.table)).join(', ')}`);
    for (const table of dataTables) {
      const name = quoteIdentifier(table.table);
      for await (const batch of rowBatches(from, keyIn(date, table.path))) {
        await client.query(`INSERT INTO ${name} SELECT * FROM jsonb_populate_recordset(NULL::${name}, $1::jsonb)`, [JSON.stringify(batch)]);
        rows += batch.length;
      }
    }
  });
  return { rows, tables: dataTables.length, files: manifest.files.length, bytes };
}
