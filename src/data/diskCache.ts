/**
 * A worker's local copies of market-data files from a remote store (DESIGN.md section 13), under
 * LOCAL_CACHE_DIR, keyed by the object's ETag and size: a changed object is downloaded again. Bounded:
 * the least recently used copies go once the copies exceed the budget.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BlobInfo } from '../storage/providers';

export class DiskCache {
  /** Local path -> size, in least-recently-used order (loaded from the directory on first use). */
  private copies: Map<string, number> | undefined;
  private loading: Promise<Map<string, number>> | undefined;
  private totalBytes = 0;

  constructor(
    private readonly directory: string,
    private readonly maxBytes: number,
  ) {}

  /** The object's bytes from the local copy of this version, else downloaded by `fetch` and kept. */
  async read(key: string, info: BlobInfo, fetch: () => Promise<Buffer>): Promise<Buffer> {
    const copies = await this.load();
    const version = createHash('sha1').update(info.etag).digest('hex').slice(0, 16);
    const path = join(this.directory, ...key.split('/')) + `@${version}-${info.size}`;
    if (copies.has(path)) {
      try {
        const bytes = await readFile(path);
        this.touch(path, bytes.length);
        await utimes(path, new Date(), new Date()).catch(() => undefined);
        return bytes;
      } catch {
        this.forget(path);
      }
    }
    const bytes = await fetch();
    await this.keep(path, bytes);
    return bytes;
  }

  private async keep(path: string, bytes: Buffer): Promise<void> {
    if (bytes.length > this.maxBytes) return;
    await mkdir(dirname(path), { recursive: true });
    // Other versions of the same object are stale.
    const prefix = basename(path).slice(0, basename(path).lastIndexOf('@') + 1);
    for (const name of await readdir(dirname(path))) {
      if (name.startsWith(prefix) && name !== basename(path)) {
        await rm(join(dirname(path), name), { force: true });
        this.forget(join(dirname(path), name));
      }
    }
    const temporary = `${path}.tmp-${randomUUID()}`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
    this.touch(path, bytes.length);
    for (const [oldest] of this.copies!) {
      if (this.totalBytes <= this.maxBytes) break;
      await rm(oldest, { force: true });
      this.forget(oldest);
    }
  }

  private touch(path: string, size: number): void {
    this.forget(path);
    this.copies!.set(path, size);
    this.totalBytes += size;
  }

  private forget(path: string): void {
    const size = this.copies!.get(path);
    if (size === undefined) return;
    this.copies!.delete(path);
    this.totalBytes -= size;
  }

  private load(): Promise<Map<string, number>> {
    this.loading ??= this.scan();
    return this.loading;
  }

  private async scan(): Promise<Map<string, number>> {
    const found: { path: string; size: number; usedAt: number }[] = [];
    const walk = async (folder: string): Promise<void> => {
      for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.includes('.tmp-')) await rm(path, { force: true });
        else {
          const stats = await stat(path);
          found.push({ path, size: stats.size, usedAt: stats.mtimeMs });
        }
      }
    };
    await walk(this.directory);
    this.copies = new Map();
    for (const copy of found.sort((a, b) => a.usedAt - b.usedAt)) this.touch(copy.path, copy.size);
    return this.copies;
  }
}
