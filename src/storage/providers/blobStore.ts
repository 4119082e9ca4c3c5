/**
 * The one way every process reaches results, staging, sweeps, backups and market data (DESIGN.md
 * section 13): a key-value store of immutable-until-replaced objects, with no local-path escape, so
 * no process assumes that the machine that wrote a file is the one that reads it.
 *
 * Keys are "/"-separated paths relative to the store root (`tasks/<uuid>/manifest.json`,
 * `BTC_KRW/1D/2024.parquet`); keys.ts says which keys are valid. Two providers implement it:
 * localBlobStore.ts (files under a folder) and s3BlobStore.ts (any S3-compatible store).
 */
import type { Readable } from 'node:stream';

export interface BlobInfo {
  size: number;
  /** Changes whenever the content does; opaque (compare for equality only). */
  etag: string;
  lastModified: Date;
}

export interface BlobStore {
  /** Human-readable location for logs and reports, e.g. `local /data` or `s3://bucket/prefix`. */
  readonly description: string;
  /** Writes atomically: readers see the old content or the new, never part of it. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** Streams a body of any size in (multipart upload on S3), atomically. The body is read to its end, or destroyed when the put fails. */
  putStream(key: string, body: NodeJS.ReadableStream | Readable, sizeHint?: number): Promise<void>;
  /** Whole object; throws BlobNotFoundError when missing. */
  get(key: string): Promise<Buffer>;
  /** Streamed download; throws BlobNotFoundError when missing (before the stream starts). */
  getStream(key: string): Promise<Readable>;
  /** Undefined when missing. */
  stat(key: string): Promise<BlobInfo | undefined>;
  /** Names directly under a prefix (files and sub-"folders", folder names without a trailing slash), sorted; empty when none. */
  list(prefix: string): Promise<string[]>;
  /** Every object under a prefix, recursively, with its info, sorted by key. */
  listRecursive(prefix: string): AsyncIterable<{ key: string } & BlobInfo>;
  /** Removes a key or a whole prefix; missing is fine. */
  remove(keyOrPrefix: string): Promise<void>;
}

/** The key names no object. Not retryable. */
export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(
    readonly key: string,
    readonly store: string,
  ) {
    super(`no object at "${key}" in ${store}`);
  }
}

/**
 * The store could not be reached or could not serve the request, and a retry can fix that: connection
 * refused or reset, timeouts, DNS, S3 5xx and throttling, a full or failing local disk. The API maps it to
 * 503 `store_unavailable`; activities let Temporal retry it (its `name` becomes the failure type).
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly store: string,
    /** What was attempted, e.g. `put tasks/<id>/manifest.json`. */
    readonly operation: string,
    cause: unknown,
  ) {
    super(`storage ${store} is unavailable (${operation}): ${describeCause(cause)}`, { cause });
  }
}

/** A key or prefix that is not a clean relative path (DESIGN.md section 13: no escape from the store root). Not retryable. */
export class InvalidBlobKeyError extends Error {
  override readonly name = 'InvalidBlobKeyError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason} (keys are "/"-separated paths relative to the store root)`);
  }
}

/**
 * True for StoreUnavailableError. Checks the name as well as the class, so that it also holds for an
 * error that crossed a module copy or a realm (jest's sandbox) or was rebuilt from a Temporal failure type.
 */
export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError || (error as { name?: unknown } | undefined)?.name === 'StoreUnavailableError';
}

function describeCause(cause: unknown): string {
  if (cause === null || typeof cause !== 'object') return String(cause);
  const { name, code, message } = cause as { name?: unknown; code?: unknown; message?: unknown };
  const label = typeof code === 'string' ? code : typeof name === 'string' ? name : 'error';
  return typeof message === 'string' && message !== '' ? `${label}: ${message}` : label;
}
