/** Deleting expired results: a task's directory and its row, unless pinned. Idempotent. */
import { taskDirectory } from '../contracts/task';
import type { BlobStore } from './blobStore';
import type { BacktestResultsRepository } from './database';

export interface CleanupTargets {
  store: BlobStore;
  repository: BacktestResultsRepository;
}

export interface SweepReport {
  /** Task ids that were expired and unpinned at `now`. */
  expired: string[];
  /** The subset actually deleted (empty on a dry run). */
  deleted: string[];
}

/** Removes a task's files, then its row: a crash in between leaves a row whose files are gone, retried next sweep. */
export async function deleteTask({ store, repository }: CleanupTargets, taskId: string): Promise<void> {
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

export async function sweepExpiredTasks(targets: CleanupTargets, now: Date, dryRun: boolean): Promise<SweepReport> {
  const expired = (await targets.repository.listExpired(now)).map((row) => row.task_id);
  const deleted: string[] = [];
  if (!dryRun) {
    for (const taskId of expired) {
      if (await deleteTaskIfExpired(targets, taskId, now)) deleted.push(taskId);
    }
  }
  return { expired, deleted };
}
