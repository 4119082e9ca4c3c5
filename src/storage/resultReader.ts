/** A finished task's three tables for the API's readers, whatever storage mode wrote them. */
import { taskDirectory } from '../contracts/task';
import type { BlobStore } from './providers';
import { LEGACY_RESULT_FILE, legacyResultToTables, parseLegacyResult } from './legacy/legacyResult';
import type { Manifest } from './manifest';
import { RESULT_TABLES, type TableInput } from './resultTables';

export type ResultTableInputs = Record<(typeof RESULT_TABLES)[number], TableInput>;

/**
 * The Parquet files' bytes when the manifest lists them, else result.json converted in memory;
 * undefined when the task stored no result.
 */
export async function openResultTables(store: BlobStore, taskId: string, manifest: Manifest): Promise<ResultTableInputs | undefined> {
  const listed = new Set(manifest.result_files.map((file) => file.name));
  const directory = taskDirectory(taskId);
  if (RESULT_TABLES.every((name) => listed.has(`${name}.parquet`))) {
    const [symbol_summary, symbol_signals, performance_curve] = await Promise.all(
      RESULT_TABLES.map((name) => store.get(`${directory}/${name}.parquet`)),
    );
    return { symbol_summary, symbol_signals, performance_curve };
  }
  if (listed.has(LEGACY_RESULT_FILE)) {
    return legacyResultToTables(parseLegacyResult((await store.get(`${directory}/${LEGACY_RESULT_FILE}`)).toString('utf8')));
  }
  return undefined;
}
