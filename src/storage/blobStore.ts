/**
 * The one interface to results, staging, sweeps, backups and market data, keyed by `/`-separated paths
 * relative to the store's root. No local-path escape: readers take bytes or streams, so no process
 * assumes it wrote the file it reads (DESIGN.md section 13).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface BlobInfo {
  size: number;
  /** Changes whenever the content changes (caches key on it). */
  etag: string;
  lastModified: Date;
}

export interface BlobStore {
  /** For logs and reports, e.g. `local /data` or `s3://bucket/prefix`. */
  readonly description: string;
  /** Writes atomically: readers see the old content or the new, never part of it. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** Streams a body of any size in, atomically. */
  putStream(key: string, body: Readable, sizeHint?: number): Promise<void>;
  /** The whole object; throws BlobNotFoundError when missing. */
  get(key: string): Promise<Buffer>;
  /** A streamed download; throws BlobNotFoundError (before streaming) when missing. */
  getStream(key: string): Promise<Readable>;
  /** Undefined when missing. */
  stat(key: string): Promise<BlobInfo | undefined>;
  /** Names directly under a prefix (files and folders), sorted; empty when there are none. */
  list(prefix: string): Promise<string[]>;
  /** Every object under a prefix, recursively, sorted by key. */
  listRecursive(prefix: string): AsyncIterable<{ key: string } & BlobInfo>;
  /** Removes a key or a whole prefix; missing is fine. */
  remove(keyOrPrefix: string): Promise<void>;
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(readonly key: string) {
    super(`no object ${key} in the store`);
  }
}

/** The store could not be reached or failed in a way a retry can fix (connection, timeout, 5xx, disk full). */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}

/** Rejects keys that could leave the root: `..`, absolute paths, backslashes, empty segments. */
export function assertValidKey(key: string): void {
  const segments = key.split('/');
  if (key === '' || key.includes('\\') || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new Error(`invalid storage key ${JSON.stringify(key)}: expected a relative path like tasks/<id>/manifest.json`);
  }
}

const RETRYABLE_FILE_ERRORS = new Set(['ENOSPC', 'EIO', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EDQUOT']);

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Files under a root folder; writes go to a temporary name and are renamed into place. */
export class LocalBlobStore implements BlobStore {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `local ${root}`;
  }

  private path(key: string): string {
    assertValidKey(key);
    return join(this.root, ...key.split('/'));
  }

  /** Runs a file operation, reporting retryable file-system failures as StoreUnavailableError. */
  private async guard<T>(operation: string, key: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code && RETRYABLE_FILE_ERRORS.has(code)) {
        throw new StoreUnavailableError(`${this.description}: ${operation} ${key} failed: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  }

  private async writeAtomically(key: string, write: (temporary: string) => Promise<void>): Promise<void> {
    const path = this.path(key);
    await this.guard('put', key, async () => {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.tmp-${randomUUID()}`;
      try {
        await write(temporary);
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    });
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    return this.writeAtomically(key, (temporary) => writeFile(temporary, data));
  }

  async putStream(key: string, body: Readable): Promise<void> {
    return this.writeAtomically(key, (temporary) => pipeline(body, createWriteStream(temporary)));
  }

  async get(key: string): Promise<Buffer> {
    const path = this.path(key);
    return this.guard('get', key, async () => {
      try {
        return await readFile(path);
      } catch (error) {
        if (isMissing(error)) throw new BlobNotFoundError(key);
        throw error;
      }
    });
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.path(key);
    const handle = await this.guard('get', key, async () => {
      try {
        return await open(path);
      } catch (error) {
        if (isMissing(error)) throw new BlobNotFoundError(key);
        throw error;
      }
    });
    return handle.createReadStream();
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    const path = this.path(key);
    return this.guard('stat', key, async () => {
      try {
        const stats = await stat(path);
        if (!stats.isFile()) return undefined;
        // Size, mtime and inode change with every rewrite (writes rename a new file into place).
        return { size: stats.size, etag: `${stats.size}-${stats.mtimeMs}-${stats.ino}`, lastModified: stats.mtime };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    const path = prefix === '' ? this.root : this.path(prefix);
    return this.guard('list', prefix, async () => {
      try {
        return (await readdir(path)).filter((name) => !name.includes('.tmp-')).sort();
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    });
  }

  async *listRecursive(prefix: string): AsyncIterable<{ key: string } & BlobInfo> {
    for (const name of await this.list(prefix)) {
      const key = prefix === '' ? name : `${prefix}/${name}`;
      const info = await this.stat(key);
      if (info) yield { key, ...info };
      else yield* this.listRecursive(key);
    }
  }

  async remove(keyOrPrefix: string): Promise<void> {
    const path = this.path(keyOrPrefix);
    return this.guard('remove', keyOrPrefix, () => rm(path, { recursive: true, force: true }));
  }
}
