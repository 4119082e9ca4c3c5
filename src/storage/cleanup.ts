/**
 * Deleting expired results: a task's or a parameter sweep's directory and its row, unless pinned. Idempotent.
 * The cleanup sweep also finds directories that have no row (a run whose row was never written), expiring them
 * by their manifest, or, without one, by their newest file.
 */
import type { CleanupReport } from '../contracts/cleanup';
import { sweepDirectory } from '../contracts/sweep';
import { taskDirectory } from '../contracts/task';
import type { BacktestResultsRepository } from './backtestResults';
import type { ParameterSweepsRepository } from './parameterSweeps';
import type { BlobStore } from './providers';
import { readSweepManifest } from './sweepReader';
import { readManifest } from './manifest';

export interface CleanupTargets {
  store: BlobStore;
  repository: BacktestResultsRepository;
  sweeps: ParameterSweepsRepository;
}

/** How long results are kept (TASK_RESULT_TTL_DAYS, FAILED_TASK_TTL_DAYS). */
export interface RetentionDays {
  completed: number;
  failed: number;
}

const DAY_MS = 86_400_000;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** When a result finished at `finishedAt` with `status` expires. */
export function expiryOf(status: 'completed' | 'failed', finishedAt: string, retention: RetentionDays): string {
  return new Date(Date.parse(finishedAt) + retention[status] * DAY_MS).toISOString();
}

/** Removes a task's files, then its row: a crash in between leaves a row whose files are gone, retried next sweep. */
export async function deleteTask({ store, repository }: Pick<CleanupTargets, 'store' | 'repository'>, taskId: string): Promise<void> {
  await store.remove(taskDirectory(taskId));
  await repository.delete(taskId);
}

/** Deletes one task if it has expired and is not pinned; returns whether it was deleted. */
export async function deleteTaskIfExpired(targets: CleanupTargets, taskId: string, now: Date): Promise<boolean> {
  const row = await targets.repository.get(taskId);
  if (!row || row.metadata.pinned === true) return false;
  const expiresAt = row.metadata.expires_at;
  if (typeof expiresAt !== 'string' || Date.parse(expiresAt) > now.getTime()) return false;
  await deleteTask(targets, taskId);
  return true;
}

/** The status and end time a task's or sweep's manifest.json records, or undefined without one. */
type FinishedAs = { status: 'completed' | 'failed'; metadata: { finished_at: string } } | undefined;

/**
 * When a directory without a row expires: by its manifest, else by its newest file (failed retention), so a
 * run still writing its staging is left alone.
 */
async function expiryWithoutRow(store: BlobStore, directory: string, manifest: FinishedAs, retention: RetentionDays): Promise<number> {
  if (manifest) return Date.parse(expiryOf(manifest.status, manifest.metadata.finished_at, retention));
  let newest = 0;
  for await (const object of store.listRecursive(directory)) newest = Math.max(newest, object.lastModified.getTime());
  return newest + retention.failed * DAY_MS;
}

/** Directories under `parent` named by a UUID that have no row and have expired. */
async function expiredWithoutRow(
  store: BlobStore,
  parent: string,
  existingIds: (ids: string[]) => Promise<Set<string>>,
  manifestOf: (id: string) => Promise<FinishedAs>,
  retention: RetentionDays,
  now: Date,
): Promise<string[]> {
  const directories = (await store.list(parent)).filter((name) => UUID_PATTERN.test(name));
  const withRow = await existingIds(directories);
  const expired: string[] = [];
  for (const id of directories) {
    if (withRow.has(id)) continue;
    if ((await expiryWithoutRow(store, `${parent}/${id}`, await manifestOf(id), retention)) <= now.getTime()) expired.push(id);
  }
  return expired;
}

/** Removes a parameter sweep's files, then its row. */
export async function deleteSweep({ store, sweeps }: Pick<CleanupTargets, 'store' | 'sweeps'>, sweepId: string): Promise<void> {
  await store.remove(sweepDirectory(sweepId));
  await sweeps.delete(sweepId);
}

/** Deletes one sweep if it has expired and is not pinned; returns whether it was deleted. */
export async function deleteSweepIfExpired(targets: CleanupTargets, sweepId: string, now: Date): Promise<boolean> {
  const row = await targets.sweeps.get(sweepId);
  if (!row || row.pinned || row.expires_at === null || Date.parse(row.expires_at) > now.getTime()) return false;
  await deleteSweep(targets, sweepId);
  return true;
}

export async function sweepExpiredTasks(
  targets: CleanupTargets,
  now: Date,
  retention: RetentionDays,
  dryRun: boolean,
): Promise<CleanupReport> {
  const report: CleanupReport = {
    expired: [],
    deleted: [],
    without_row: [],
    sweeps_expired: [],
    sweeps_deleted: [],
    sweeps_without_row: [],
  };
  for (const row of await targets.sweeps.listExpired(now)) {
    report.sweeps_expired.push(row.sweep_id);
    if (!dryRun && (await deleteSweepIfExpired(targets, row.sweep_id, now))) report.sweeps_deleted.push(row.sweep_id);
  }
  for (const row of await targets.repository.listExpired(now)) {
    report.expired.push(row.task_id);
    if (!dryRun && (await deleteTaskIfExpired(targets, row.task_id, now))) report.deleted.push(row.task_id);
  }
  const { store } = targets;
  for (const taskId of await expiredWithoutRow(
    store,
    'tasks',
    (ids) => targets.repository.existingTaskIds(ids),
    (id) => readManifest(store, id),
    retention,
    now,
  )) {
    report.expired.push(taskId);
    report.without_row.push(taskId);
    if (!dryRun) {
      await store.remove(taskDirectory(taskId));
      report.deleted.push(taskId);
    }
  }
  for (const sweepId of await expiredWithoutRow(
    store,
    'sweeps',
    (ids) => targets.sweeps.existingIds(ids),
    (id) => readSweepManifest(store, id),
    retention,
    now,
  )) {
    report.sweeps_expired.push(sweepId);
    report.sweeps_without_row.push(sweepId);
    if (!dryRun) {
      await store.remove(sweepDirectory(sweepId));
      report.sweeps_deleted.push(sweepId);
    }
  }
  return report;
}
