/**
 * Imports the predecessor's task directories (`tasks/<task_id>/result.json`, + manifest.json) into
 * the current result storage: the three Parquet tables, metadata.json and a manifest in the task
 * directory under DATA_ROOT, and a `backtest_results` row (DESIGN.md section 7).
 *
 * Every task stands alone: a corrupt or invalid file, or a directory that vanished, is reported with
 * its reason and the others go on. Re-runs are safe: a task with a row and a symbol_summary.parquet
 * is skipped (unless forced); files are written atomically, manifest last, before the row is upserted,
 * so a crash at any point leaves a task the next run imports again.
 *
 * A migrated row carries no `expires_at`: cleanup keeps it until someone deletes it, rather than
 * sweeping away old results right after they were imported.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { taskDirectory } from '../../contracts/task';
import { md5 } from '../../shared/checksum';
import type { ParquetCompression } from '../../shared/parquet';
import type { BlobStore } from '../providers';
import type { BacktestResultRow } from '../backtestResults';
import { RESULT_SCHEMA_VERSION, type ResultFile } from '../manifest';
import { encodeResultTables } from '../resultFiles';
import {
  LEGACY_RESULT_FILE,
  legacyResultToTables,
  legacySymbolSummaries,
  parseLegacyResult,
  parseLegacyTimestamp,
  type LegacyResult,
} from './legacyResult';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Files that mark a task directory written by this platform: nothing to import there. */
const CURRENT_FORMAT_FILES = ['symbol_summary.parquet', 'metadata.json', 'staging'];

export interface LegacyMigrationOptions {
  /** Where the legacy task directories are; results are written to DATA_ROOT/tasks either way. */
  tasksDir: string;
  /** With `force`, a task's existing files are copied to `<backupDir>/<task_id>/` before they are replaced. */
  backupDir: string;
  dryRun?: boolean;
  force?: boolean;
  batchSize?: number;
  compression?: ParquetCompression;
  onProgress?: (progress: MigrationProgress) => void;
}

export interface MigrationProgress {
  done: number;
  total: number;
  batch: number;
  batches: number;
  /** This task was the last of its batch. */
  batch_done: boolean;
  task: string;
}

export interface MigratedTask {
  task_id: string;
  json_bytes: number;
  parquet_bytes: number;
  symbols: number;
  trades: number;
  /** Things worth knowing that did not stop the import (an unreadable original manifest, a backup). */
  notes: string[];
}

export interface TaskProblem {
  /** The directory name (or the tasks directory itself when it cannot be read). */
  task: string;
  reason: string;
}

export interface MigrationReport {
  dry_run: boolean;
  tasks_dir: string;
  /** Directories looked at. */
  found: number;
  /** Imported, or on a dry run: would be imported. */
  migrated: MigratedTask[];
  skipped: TaskProblem[];
  failed: TaskProblem[];
  json_bytes: number;
  parquet_bytes: number;
  duration_ms: number;
}

export interface MigrationTargets {
  /** Rooted at DATA_ROOT. */
  store: BlobStore;
  pool: pg.Pool;
}

type TaskOutcome = { kind: 'migrated'; task: MigratedTask } | { kind: 'skipped' | 'failed'; problem: TaskProblem };

export async function migrateLegacyResults(targets: MigrationTargets, options: LegacyMigrationOptions): Promise<MigrationReport> {
  const startedAt = performance.now();
  const report: MigrationReport = {
    dry_run: options.dryRun === true,
    tasks_dir: options.tasksDir,
    found: 0,
    migrated: [],
    skipped: [],
    failed: [],
    json_bytes: 0,
    parquet_bytes: 0,
    duration_ms: 0,
  };
  let names: string[] = [];
  try {
    names = await listDirectories(options.tasksDir);
  } catch (error) {
    report.failed.push({ task: options.tasksDir, reason: `cannot read the tasks directory: ${(error as Error).message}` });
  }
  report.found = names.length;
  const batchSize = options.batchSize ?? 100;
  const batches = Math.ceil(names.length / batchSize);
  let done = 0;
  for (let batch = 0; batch < batches; batch++) {
    const members = names.slice(batch * batchSize, (batch + 1) * batchSize);
    // One query per batch for the rows that exist, rather than one per task.
    const withRow = await taskIdsWithRow(
      targets.pool,
      members.filter((name) => UUID_PATTERN.test(name)),
    );
    for (const [index, name] of members.entries()) {
      const outcome = await migrateTask(targets, options, name, withRow).catch((error): TaskOutcome => ({
        kind: 'failed',
        problem: { task: name, reason: (error as Error).message },
      }));
      if (outcome.kind === 'migrated') {
        report.migrated.push(outcome.task);
        report.json_bytes += outcome.task.json_bytes;
        report.parquet_bytes += outcome.task.parquet_bytes;
      } else {
        report[outcome.kind].push(outcome.problem);
      }
      const batchDone = index === members.length - 1;
      options.onProgress?.({ done: ++done, total: names.length, batch: batch + 1, batches, batch_done: batchDone, task: name });
    }
  }
  report.duration_ms = performance.now() - startedAt;
  return report;
}

async function listDirectories(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Lower-case ids of the tasks among `taskIds` that have a row; none while the table does not exist yet (a dry run before any migration). */
async function taskIdsWithRow(pool: pg.Pool, taskIds: string[]): Promise<Set<string>> {
  if (taskIds.length === 0) return new Set();
  try {
    const { rows } = await pool.query<{ task_id: string }>(
      'SELECT task_id::text AS task_id FROM backtest_results WHERE task_id = ANY($1::uuid[])',
      [taskIds],
    );
    return new Set(rows.map((row) => row.task_id));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return new Set(); // undefined_table
    throw error;
  }
}

async function migrateTask(
  { store, pool }: MigrationTargets,
  options: LegacyMigrationOptions,
  name: string,
  withRow: Set<string>,
): Promise<TaskOutcome> {
  const problem = (kind: 'skipped' | 'failed', reason: string): TaskOutcome => ({ kind, problem: { task: name, reason } });
  if (!UUID_PATTERN.test(name))
    return problem('failed', 'directory name is not a UUID (a task id is the UUID its directory is named after)');
  const sourceDirectory = join(options.tasksDir, name);
  const entries = await readdir(sourceDirectory).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? 'the directory disappeared during the migration' : error.message);
  });
  if (!entries.includes(LEGACY_RESULT_FILE)) {
    return entries.some((entry) => CURRENT_FORMAT_FILES.includes(entry))
      ? problem('skipped', 'no result.json: a result in the current format')
      : problem('failed', `no result.json in the directory (it holds: ${entries.join(', ') || 'nothing'})`);
  }
  const targetDirectory = taskDirectory(name);
  const imported = withRow.has(name.toLowerCase()) && (await store.stat(`${targetDirectory}/symbol_summary.parquet`)) !== undefined;
  if (imported && !options.force) return problem('skipped', 'already imported (use --force to import again)');

  const jsonBytes = await readFile(join(sourceDirectory, LEGACY_RESULT_FILE));
  const result = parseLegacyResult(jsonBytes.toString('utf8'));
  const notes: string[] = [];
  const original = entries.includes('manifest.json')
    ? await readOriginalManifest(join(sourceDirectory, 'manifest.json'), notes)
    : undefined;
  const finishedAt = await finishedAtOf(result, original, join(sourceDirectory, LEGACY_RESULT_FILE));
  const files = migratedFiles(name, result, jsonBytes, options.compression ?? 'snappy', original, finishedAt);

  const replacesFiles = options.force === true && (await store.list(targetDirectory)).length > 0;
  const backup = join(options.backupDir, name);
  if (options.dryRun) {
    if (replacesFiles) notes.push(`would copy the previous files to ${backup}`);
  } else {
    if (replacesFiles) {
      await copyOut(store, targetDirectory, backup);
      notes.push(`previous files copied to ${backup}`);
    }
    for (const [fileName, bytes] of files.contents) await store.put(`${targetDirectory}/${fileName}`, bytes);
    await upsertMigratedRow(pool, files.row);
  }
  return {
    kind: 'migrated',
    task: {
      task_id: name,
      json_bytes: jsonBytes.length,
      parquet_bytes: files.row.file_size,
      symbols: result.symbols.length,
      trades: files.row.record_count,
      notes,
    },
  };
}

/** Copies every object under a store prefix into a local folder, keeping the relative paths. */
async function copyOut(store: BlobStore, prefix: string, folder: string): Promise<void> {
  for await (const { key } of store.listRecursive(prefix)) {
    const target = join(folder, ...key.slice(prefix.length + 1).split('/'));
    await mkdir(dirname(target), { recursive: true });
    await pipeline(await store.getStream(key), createWriteStream(target));
  }
}

type JsonObject = Record<string, unknown>;

const asObject = (value: unknown): JsonObject | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;

/** The original manifest's fields, if it is a readable JSON object; otherwise a note says why it was rebuilt. */
async function readOriginalManifest(path: string, notes: string[]): Promise<JsonObject | undefined> {
  try {
    const manifest = asObject(JSON.parse(await readFile(path, 'utf8')));
    if (manifest) return manifest;
    notes.push('manifest.json is not a JSON object: rebuilt from result.json');
  } catch (error) {
    notes.push(`manifest.json unreadable (${(error as Error).message}): rebuilt from result.json`);
  }
  return undefined;
}

/** When the predecessor finished the task: its recorded execution date, the manifest's, or the file's modification time. */
async function finishedAtOf(result: LegacyResult, original: JsonObject | undefined, resultPath: string): Promise<string> {
  for (const recorded of [result.metadata?.execution_date, asObject(original?.metadata)?.finished_at]) {
    const epochMs = typeof recorded === 'string' ? parseLegacyTimestamp(recorded) : undefined;
    if (epochMs !== undefined) return new Date(epochMs).toISOString();
  }
  return (await stat(resultPath)).mtime.toISOString();
}

/** The row a migrated task gets (always `completed`); `created_at` is when the predecessor finished it. */
type MigratedRow = Omit<BacktestResultRow, 'status' | 'updated_at' | 'file_size' | 'record_count'> & {
  file_size: number;
  record_count: number;
};

/**
 * Everything a migrated task directory holds, in write order (manifest last), and its row. The
 * original result.json is kept and listed; it is copied along when the legacy directory is elsewhere.
 */
function migratedFiles(
  taskId: string,
  result: LegacyResult,
  jsonBytes: Buffer,
  compression: ParquetCompression,
  original: JsonObject | undefined,
  finishedAt: string,
): { contents: Map<string, Uint8Array | string>; row: MigratedRow } {
  const tables = legacyResultToTables(result);
  const contents = encodeResultTables(taskId, tables, compression, finishedAt);
  contents.set(LEGACY_RESULT_FILE, jsonBytes);
  const resultFiles: ResultFile[] = [...contents].map(([name, bytes]) => ({
    name,
    path: name,
    size_bytes: Buffer.byteLength(bytes),
    checksum: md5(bytes),
  }));

  const symbols = result.symbols.map((symbol) => symbol.symbol);
  const totalSignals = result.symbols.reduce((sum, symbol) => sum + (symbol.total_signals ?? symbol.signals.length), 0);
  const durationMs = Math.round((result.execution_time ?? 0) * 1000);
  const migration = { migrated_from: LEGACY_RESULT_FILE, migrated_at: new Date().toISOString() };
  const generated = {
    task_id: taskId,
    status: 'completed',
    strategy: result.strategy,
    params: result.params,
    symbols,
    start_date: result.start_date,
    end_date: result.end_date,
    timeframe: result.timeframe,
    result_files: resultFiles,
    metadata: {
      started_at: new Date(Date.parse(finishedAt) - durationMs).toISOString(),
      finished_at: finishedAt,
      duration_ms: durationMs,
      execution_host: result.metadata?.execution_host ?? 'unknown',
      environment: result.metadata?.environment ?? 'unknown',
    },
    summary: {
      total_signals: totalSignals,
      symbols_processed: symbols.length,
      symbols_failed: 0,
      average_execution_time_per_symbol_ms: symbols.length === 0 ? 0 : durationMs / symbols.length,
    },
    error: { occurred: false, message: null },
  };
  // The original manifest's fields win, except what must describe the directory as it is now.
  const manifest = {
    ...generated,
    ...original,
    task_id: taskId,
    status: 'completed',
    result_files: resultFiles,
    metadata: {
      ...generated.metadata,
      ...asObject(original?.metadata),
      schema_version: RESULT_SCHEMA_VERSION,
      compression,
      symbols: symbols.map((symbol) => ({ symbol, state: 'completed' })),
      ...migration,
    },
  };
  contents.set('manifest.json', JSON.stringify(manifest, null, 2));

  const parquetBytes = resultFiles.filter((file) => file.name.endsWith('.parquet')).reduce((sum, file) => sum + file.size_bytes, 0);
  return {
    contents,
    row: {
      task_id: taskId,
      strategy: result.strategy,
      symbols,
      start_date: result.start_date,
      end_date: result.end_date,
      timeframe: result.timeframe,
      parquet_path: taskDirectory(taskId),
      file_size: parquetBytes,
      record_count: tables.symbol_signals.numRows,
      metadata: {
        schema_version: RESULT_SCHEMA_VERSION,
        compression,
        params: result.params,
        summary: manifest.summary,
        symbol_summaries: Object.fromEntries(legacySymbolSummaries(result).map(({ symbol, ...summary }) => [symbol, summary])),
        finished_at: finishedAt,
        error: null,
        legacy_version: result.version ?? null,
        legacy_run_id: result.run_id ?? null,
        ...migration,
      },
      created_at: finishedAt,
    },
  };
}

/**
 * Inserts the completed row, or brings an existing one up to date. The stored metadata is merged
 * (a pin survives) and `created_at` stays the first one: for a new row, when the predecessor finished.
 */
async function upsertMigratedRow(pool: pg.Pool, row: MigratedRow): Promise<void> {
  await pool.query(
    `INSERT INTO backtest_results
       (task_id, strategy, symbols, start_date, end_date, timeframe, status, parquet_path, file_size, record_count, metadata, created_at)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, 'completed', $7, $8, $9, $10::jsonb, $11)
     ON CONFLICT (task_id) DO UPDATE SET
       strategy = EXCLUDED.strategy, symbols = EXCLUDED.symbols, start_date = EXCLUDED.start_date,
       end_date = EXCLUDED.end_date, timeframe = EXCLUDED.timeframe, status = EXCLUDED.status,
       parquet_path = EXCLUDED.parquet_path, file_size = EXCLUDED.file_size, record_count = EXCLUDED.record_count,
       metadata = COALESCE(backtest_results.metadata, '{}'::jsonb) || EXCLUDED.metadata`,
    [
      row.task_id,
      row.strategy,
      JSON.stringify(row.symbols),
      row.start_date,
      row.end_date,
      row.timeframe,
      row.parquet_path,
      row.file_size,
      row.record_count,
      JSON.stringify(row.metadata),
      row.created_at,
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// The report

const formatBytes = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 ** 2).toFixed(2)} MiB`;

export function formatMigrationReport(report: MigrationReport): string {
  const verb = report.dry_run ? 'would migrate' : 'migrated';
  const lines = [
    `Legacy result migration of ${report.tasks_dir}${report.dry_run ? ' (dry run: nothing written)' : ''}`,
    `  task directories: ${report.found}`,
    `  ${verb}: ${report.migrated.length}`,
    ...report.migrated.flatMap((task) => task.notes.map((note) => `    ${task.task_id}: ${note}`)),
    `  skipped: ${report.skipped.length}`,
    ...groupedByReason(report.skipped),
    `  failed: ${report.failed.length}`,
    ...report.failed.map((problem) => `    ${problem.task}: ${problem.reason}`),
  ];
  if (report.json_bytes > 0) {
    const percent = (report.parquet_bytes / report.json_bytes) * 100;
    lines.push(
      `  size: JSON ${formatBytes(report.json_bytes)} (${report.json_bytes} bytes) -> Parquet ${formatBytes(report.parquet_bytes)} ` +
        `(${report.parquet_bytes} bytes): ${percent.toFixed(1)}% of the JSON, ${Math.abs(100 - percent).toFixed(1)}% ${percent <= 100 ? 'smaller' : 'larger (small results: each Parquet file has a fixed overhead of a few KiB)'}`,
    );
  }
  lines.push(`  duration: ${(report.duration_ms / 1000).toFixed(2)} s`);
  return lines.join('\n');
}

/** Skips repeat a few reasons: a line per reason, naming the tasks when they are few. */
function groupedByReason(problems: TaskProblem[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const { task, reason } of problems) byReason.set(reason, [...(byReason.get(reason) ?? []), task]);
  return [...byReason].map(([reason, tasks]) =>
    tasks.length <= 3 ? `    ${tasks.join(', ')}: ${reason}` : `    ${tasks.length} tasks: ${reason}`,
  );
}

/** The default backup folder of a forced run: DATA_ROOT/migration-backups/<timestamp>. */
export function defaultMigrationBackupDir(dataRoot: string, now = new Date()): string {
  return resolve(dataRoot, 'migration-backups', now.toISOString().replace(/[:.]/g, '-'));
}
