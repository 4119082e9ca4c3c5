/**
 * Copies a deployment's data from one store to another (`npm run migrate-storage`, DESIGN.md section 13):
 * the market data (every symbol folder), the task and sweep directories and the backups. Every file's MD5
 * is checked after the copy; a file the target already holds with the same MD5 is skipped, so a run that
 * was interrupted resumes where it stopped. A file that fails is reported with its reason and the rest go
 * on. Within a directory the manifests go last, so a reader of the target never sees a result's manifest
 * before its files.
 */
import { backupSourcePrefixes, BACKUPS_PREFIX } from './backup';
import { copyObject } from './objectCopy';
import type { BlobStore } from './providers';
import { TEMPORARY_NAME_PATTERN } from './providers/keys';

export interface MigrationReport {
  from: string;
  to: string;
  prefixes: string[];
  /** Files found in the source. */
  files: number;
  /** Bytes of those files. */
  bytes: number;
  copied: number;
  /** Already in the target with the same MD5. */
  skipped: number;
  failed: { key: string; reason: string }[];
  duration_ms: number;
}

export interface MigrationOptions {
  from: BlobStore;
  to: BlobStore;
  /** Only these top-level prefixes (default: every symbol folder, tasks, sweeps, backups). */
  prefixes?: string[];
  /** Called after each file, e.g. for a progress line. */
  onFile?: (key: string, outcome: 'copied' | 'skipped' | 'failed') => void;
}

/** Written last in its directory: the marker that the rest is complete. */
const isManifest = (key: string) => /(^|\/)(manifest\.json|backup-manifest\.json)$/.test(key);

/** The prefixes a migration copies: what a backup copies, and the backups themselves. */
export async function migrationPrefixes(store: BlobStore): Promise<string[]> {
  const prefixes = await backupSourcePrefixes(store);
  return (await store.list('')).includes(BACKUPS_PREFIX) ? [...prefixes, BACKUPS_PREFIX] : prefixes;
}

export async function migrateStorage({ from, to, prefixes, onFile }: MigrationOptions): Promise<MigrationReport> {
  if (from.description === to.description) throw new Error(`source and target are the same store (${from.description})`);
  const started = performance.now();
  const chosen = prefixes ?? (await migrationPrefixes(from));
  const report: Omit<MigrationReport, 'duration_ms'> = {
    from: from.description,
    to: to.description,
    prefixes: chosen,
    files: 0,
    bytes: 0,
    copied: 0,
    skipped: 0,
    failed: [],
  };
  const copy = async (key: string, size: number) => {
    report.files++;
    report.bytes += size;
    try {
      const copied = await copyObject(from, key, to, key, { skipIdentical: true, verify: true });
      report[copied.skipped ? 'skipped' : 'copied']++;
      onFile?.(key, copied.skipped ? 'skipped' : 'copied');
    } catch (error) {
      report.failed.push({ key, reason: (error as Error).message });
      onFile?.(key, 'failed');
    }
  };
  for (const prefix of chosen) {
    const manifests: { key: string; size: number }[] = [];
    for await (const object of from.listRecursive(prefix)) {
      if (TEMPORARY_NAME_PATTERN.test(object.key)) continue;
      if (isManifest(object.key)) manifests.push(object);
      else await copy(object.key, object.size);
    }
    for (const manifest of manifests) await copy(manifest.key, manifest.size);
  }
  return { ...report, duration_ms: performance.now() - started };
}

/** The report as the script prints it. */
export function formatMigrationReport(report: MigrationReport): string {
  const lines = [
    `migrated ${report.from} -> ${report.to}`,
    `  prefixes: ${report.prefixes.join(', ') || 'none'}`,
    `  files: ${report.files} (${report.bytes} bytes)`,
    `  copied and verified: ${report.copied}`,
    `  skipped (already there with the same MD5): ${report.skipped}`,
    `  failed: ${report.failed.length}`,
    ...report.failed.map(({ key, reason }) => `    ${key}: ${reason}`),
    `  duration: ${(report.duration_ms / 1000).toFixed(1)} s`,
  ];
  return lines.join('\n');
}
