/** Values derived from a file, kept while the file is unchanged (same size, mtime and inode). */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';

export class FileCache<T> {
  private readonly entries = new Map<string, { identity: string; value: T }>();

  /** The cached value for the file as `stats` describes it, else `compute()` (then cached). */
  async get(path: string, compute: (stats: Stats) => T | Promise<T>, stats?: Stats): Promise<T> {
    const current = stats ?? (await stat(path));
    const identity = `${current.size}:${current.mtimeMs}:${current.ino}`;
    const cached = this.entries.get(path);
    if (cached?.identity === identity) return cached.value;
    const value = await compute(current);
    this.entries.set(path, { identity, value });
    return value;
  }
}
