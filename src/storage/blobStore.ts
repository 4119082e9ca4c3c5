/**
 * The one interface for result and staging files, keyed by paths relative to DATA_ROOT.
 * Local filesystem today; an S3-compatible store implements the same four verbs when workers
 * run on several machines, so no activity assumes it wrote the file it reads.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';

export interface BlobStore {
  /** Writes atomically: readers see the old content or the new, never half a file. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Undefined when the key does not exist. */
  size(key: string): Promise<number | undefined>;
  /** Keys directly under a prefix (file names only); empty when the prefix does not exist. */
  list(prefix: string): Promise<string[]>;
  /** Removes a key or a whole prefix; missing is fine. */
  remove(keyOrPrefix: string): Promise<void>;
  /** Local path of a key, for readers that stream from disk (parquet-wasm reads a Blob). */
  localPath(key: string): string;
}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  localPath(key: string): string {
    const relative = normalize(key);
    if (relative.startsWith('..') || relative.startsWith(sep) || relative.includes(`${sep}..${sep}`)) {
      throw new Error(`storage key escapes the data root: ${key}`);
    }
    return join(this.root, relative);
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const path = this.localPath(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.tmp-${randomUUID()}`;
    await writeFile(temporary, data);
    await rename(temporary, path);
  }

  get(key: string): Promise<Buffer> {
    return readFile(this.localPath(key));
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.localPath(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      return (await readdir(this.localPath(prefix))).filter((name) => !name.includes('.tmp-')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  remove(keyOrPrefix: string): Promise<void> {
    return rm(this.localPath(keyOrPrefix), { recursive: true, force: true });
  }
}
