/**
 * BlobStore on a local (or mounted) folder: one file per key, written to a temporary file in the same
 * folder, flushed, then renamed over the target, so readers see the old content or the new.
 */
import { randomUUID } from 'node:crypto';
import type { BigIntStats, Dirent } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, rmdir, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobNotFoundError, StoreUnavailableError, type BlobInfo, type BlobStore } from './blobStore';
import { ConcurrencyLimit } from './concurrencyLimit';
import { TEMPORARY_NAME_PATTERN, assertValidKey, compareKeys, joinKey, normalizePrefix } from './keys';
import { guardStream, uploadBody } from './streams';

/**
 * File-system errors that say the disk or the mount is in trouble, not the request: a full disk or
 * quota, I/O errors, too many open files, a stale or timed-out network mount, a file system remounted
 * read-only after an error. An operator (or time) fixes them, so a retry can succeed.
 */
const UNAVAILABLE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'ESTALE', 'ETIMEDOUT', 'EROFS']);

const MAX_CONCURRENT_OPERATIONS = 64;

export class LocalBlobStore implements BlobStore {
  readonly description: string;
  private readonly root: string;
  private readonly limit = new ConcurrencyLimit(MAX_CONCURRENT_OPERATIONS);

  constructor(root: string) {
    this.root = resolve(root);
    this.description = `local ${this.root}`;
  }

  put(key: string, data: Uint8Array | string): Promise<void> {
    return this.operate('put', key, () => this.writeAtomically(key, (file) => file.writeFile(data)));
  }

  putStream(key: string, body: NodeJS.ReadableStream | Readable): Promise<void> {
    const readable = uploadBody(body);
    return this.operate('putStream', key, () =>
      this.writeAtomically(key, async (file) => {
        for await (const chunk of readable) await file.write(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
      }),
    ).finally(() => readable.destroy());
  }

  get(key: string): Promise<Buffer> {
    return this.operate('get', key, async () => {
      try {
        return await readFile(this.pathOf(key));
      } catch (error) {
        throw this.notFoundOr(error, key);
      }
    });
  }

  getStream(key: string): Promise<Readable> {
    return this.operate('getStream', key, async () => {
      let file: FileHandle;
      try {
        // Opened before returning, so a missing key fails here, and the stream reads the version that was
        // current at this moment even if a put replaces it meanwhile.
        file = await open(this.pathOf(key), 'r');
      } catch (error) {
        throw this.notFoundOr(error, key);
      }
      const isFolder = await file.stat().then(
        (info) => info.isDirectory(),
        async (error) => {
          await file.close();
          throw error;
        },
      );
      if (isFolder) {
        await file.close();
        throw new BlobNotFoundError(key, this.description);
      }
      return guardStream(file.createReadStream(), { mapError: (error) => this.toStoreError(error, 'getStream', key) });
    });
  }

  stat(key: string): Promise<BlobInfo | undefined> {
    return this.operate('stat', key, async () => {
      const info = await statOrUndefined(this.pathOf(key));
      return info?.isFile() ? blobInfo(info) : undefined;
    });
  }

  async list(prefix: string): Promise<string[]> {
    const folder = normalizePrefix(prefix);
    return this.operate('list', folder, async () => {
      const entries = await readFolder(join(this.root, folder));
      return entries
        .filter((entry) => !TEMPORARY_NAME_PATTERN.test(entry.name))
        .map((entry) => entry.name)
        .sort(compareKeys);
    });
  }

  async *listRecursive(prefix: string): AsyncIterable<{ key: string } & BlobInfo> {
    yield* this.walk(normalizePrefix(prefix));
  }

  async remove(keyOrPrefix: string): Promise<void> {
    const key = normalizePrefix(keyOrPrefix);
    if (key === '') throw new Error(`refusing to remove the whole store (${this.description})`);
    return this.operate('remove', key, async () => {
      await rm(this.pathOf(key), { recursive: true, force: true });
      await this.removeEmptyParents(key);
    });
  }

  /**
   * Depth first, each folder's entries in key order. A folder sorts as `name/`, which is where its keys
   * fall among its siblings (`a-b` < `a/x` because '-' < '/'), so the whole walk comes out in key order.
   */
  private async *walk(folder: string): AsyncGenerator<{ key: string } & BlobInfo> {
    const entries = await this.operate('listRecursive', folder, () => readFolder(join(this.root, folder)));
    const sorted = entries
      .filter((entry) => !TEMPORARY_NAME_PATTERN.test(entry.name))
      .map((entry) => ({ entry, sortKey: entry.isDirectory() ? `${entry.name}/` : entry.name }))
      .sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    for (const { entry } of sorted) {
      const key = joinKey(folder, entry.name);
      if (entry.isDirectory()) {
        yield* this.walk(key);
        continue;
      }
      const info = await this.operate('listRecursive', key, () => statOrUndefined(join(this.root, key)));
      // Removed since the folder was read, or a link to a folder: not an object.
      if (info?.isFile()) yield { key, ...blobInfo(info) };
    }
  }

  /** The file of a key; throws InvalidBlobKeyError for a key that is not a clean relative path. */
  private pathOf(key: string): string {
    assertValidKey(key);
    return join(this.root, key);
  }

  private async writeAtomically(key: string, write: (file: FileHandle) => Promise<void>): Promise<void> {
    const path = this.pathOf(key);
    const temporary = `${path}.tmp-${randomUUID()}`;
    const file = await openForWriting(temporary);
    try {
      await write(file);
      // On disk before it gets its name: a crash never leaves a named but empty or partial file.
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await file.close();
    try {
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /**
   * An object store has no empty folders: once its last key goes, a prefix is no longer listed. The same
   * here, so both providers list the same names.
   */
  private async removeEmptyParents(key: string): Promise<void> {
    for (let folder = dirname(key); folder !== '.'; folder = dirname(folder)) {
      try {
        await rmdir(join(this.root, folder));
      } catch {
        return; // Not empty (or already gone): the folders above it are not empty either.
      }
    }
  }

  private async operate<T>(operation: string, key: string, task: () => Promise<T>): Promise<T> {
    return this.limit.run(async () => {
      try {
        return await task();
      } catch (error) {
        throw this.toStoreError(error, operation, key);
      }
    });
  }

  private notFoundOr(error: unknown, key: string): unknown {
    const code = errorCode(error);
    // ENOTDIR: a parent of the key is a file; EISDIR: the key is a folder. Neither names an object.
    return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' ? new BlobNotFoundError(key, this.description) : error;
  }

  private toStoreError(error: unknown, operation: string, key: string): unknown {
    const code = errorCode(error);
    return code && UNAVAILABLE_CODES.has(code) ? new StoreUnavailableError(this.description, `${operation} ${key}`, error) : error;
  }
}

/** Opens a new file for writing, creating its folders; retries once if a concurrent remove prunes a folder just created. */
async function openForWriting(path: string): Promise<FileHandle> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dirname(path), { recursive: true });
    try {
      return await open(path, 'wx');
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' || attempt === 3) throw error;
    }
  }
}

async function readFolder(path: string): Promise<Dirent[]> {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

async function statOrUndefined(path: string): Promise<BigIntStats | undefined> {
  try {
    return await stat(path, { bigint: true });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * The etag is built from the file's metadata (inode, size, modification time in nanoseconds) rather than
 * an MD5 of its content, so stat and listings cost no read of the data (a listing of market data would
 * otherwise read every file). It changes with every put: each put writes a new file (a new inode, and a
 * new modification time) and renames it over the old one. Its blind spot: a put that reuses the inode of
 * a version two puts back, with the same size, within the same tick of the kernel's file clock (a few ms).
 */
function blobInfo(info: BigIntStats): BlobInfo {
  return {
    size: Number(info.size),
    etag: [info.ino, info.size, info.mtimeNs].map((part) => part.toString(36)).join('-'),
    lastModified: info.mtime,
  };
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
