/** Values derived from a stored object, kept while the object is unchanged (same version: its ETag). */

export interface CacheLimit<T> {
  /** Least recently used values go once their sizes add up to more than this. */
  maxBytes: number;
  sizeOf: (value: T) => number;
}

export class VersionedCache<T> {
  private readonly entries = new Map<string, { version: string; value: Promise<T>; bytes: number }>();
  private totalBytes = 0;

  /** Unbounded without a limit (for small values: checksums, row counts). */
  constructor(private readonly limit?: CacheLimit<T>) {}

  /**
   * The cached value of `key` at `version`, else `compute()` (then cached). Concurrent calls for the same
   * version share one computation; a failed computation is not kept.
   */
  get(key: string, version: string, compute: () => T | Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached?.version === version) {
      // Map order is the eviction order: a hit moves to the most recently used end.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.value;
    }
    const value = Promise.resolve().then(compute);
    this.remove(key);
    this.entries.set(key, { version, value, bytes: 0 });
    value.then(
      (resolved) => this.account(key, version, resolved),
      () => {
        if (this.entries.get(key)?.version === version) this.remove(key);
      },
    );
    return value;
  }

  private account(key: string, version: string, value: T): void {
    const entry = this.entries.get(key);
    if (!entry || entry.version !== version || !this.limit) return;
    entry.bytes = this.limit.sizeOf(value);
    this.totalBytes += entry.bytes;
    if (entry.bytes > this.limit.maxBytes) this.remove(key);
    for (const [oldest] of this.entries) {
      if (this.totalBytes <= this.limit.maxBytes) break;
      this.remove(oldest);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}
