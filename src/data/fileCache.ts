/** Values derived from a file, kept while the file is unchanged (same size, mtime and inode). */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileCacheLimit<T> {
  /** Least recently used values go once their sizes add up to more than this. */
  maxBytes: number;
  sizeOf: (value: T) => number;
}

export class FileCache<T> {
  private readonly entries = new Map<string, { identity: string; value: T; bytes: number }>();
  private totalBytes = 0;

  /** Unbounded without a limit (for small values: checksums, row counts). */
  constructor(private readonly limit?: FileCacheLimit<T>) {}

  /** The cached value for the file as `stats` describes it, else `compute()` (then cached). */
  async get(path: string, compute: (stats: Stats) => T | Promise<T>, stats?: Stats): Promise<T> {
    const current = stats ?? (await stat(path));
    const identity = `${current.size}:${current.mtimeMs}:${current.ino}`;
    const cached = this.entries.get(path);
    if (cached?.identity === identity) {
      // Map order is the eviction order: a hit moves to the most recently used end.
      this.entries.delete(path);
      this.entries.set(path, cached);
      return cached.value;
    }
    const value = await compute(current);
    this.store(path, identity, value);
    return value;
  }

  private store(path: string, identity: string, value: T): void {
    const previous = this.entries.get(path);
    if (previous) {
      this.entries.delete(path);
      this.totalBytes -= previous.bytes;
    }
    const bytes = this.limit?.sizeOf(value) ?? 0;
    if (this.limit && bytes > this.limit.maxBytes) return;
    this.entries.set(path, { identity, value, bytes });
    this.totalBytes += bytes;
    for (const [key, entry] of this.entries) {
      if (!this.limit || this.totalBytes <= this.limit.maxBytes) break;
      this.entries.delete(key);
      this.totalBytes -= entry.bytes;
    }
  }
}
