/**
 * BlobStore on any S3-compatible object store (AWS S3, MinIO; moto in the tests) through
 * @aws-sdk/client-s3. Keys live under `prefix/` in one bucket; credentials come from the standard AWS
 * chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance roles).
 *
 * Outages: the callers (Temporal activities, the API) do the retrying, without a give-up count, and the
 * API must answer 503 within 2 s while the store is down and recover within 5 s after it returns. So the
 * client fails fast instead of retrying for minutes: a 1 s connect timeout, a 1.5 s idle timeout, one
 * retry only where a second attempt helps at once (RetryWhatHelpsAtOnce), and every infrastructure error
 * surfaces as StoreUnavailableError. Nothing is cached between requests, so the first request after the
 * store returns succeeds.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { StandardRetryStrategy, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { BlobNotFoundError, StoreUnavailableError, type BlobInfo, type BlobStore } from './blobStore';
import { ConcurrencyLimit } from './concurrencyLimit';
import { assertValidKey, compareKeys, joinKey, normalizePrefix } from './keys';
import { guardStream, uploadBody } from './streams';

export interface S3Settings {
  /** e.g. `http://127.0.0.1:9000` for MinIO; unset for AWS S3. */
  endpoint?: string;
  bucket: string;
  /** Folder in the bucket that holds every key; '' for the bucket root. */
  prefix: string;
  region: string;
  /** `bucket` in the path rather than the host name: MinIO and moto need it. */
  forcePathStyle: boolean;
}

/** A connection to a live store on a LAN or in a region is made in milliseconds; a second means it is not there. */
const CONNECT_TIMEOUT_MS = 1000;
/** No byte sent or received for this long while a request is sent or its response awaited: the store is stuck. */
const REQUEST_IDLE_TIMEOUT_MS = 1500;
/**
 * No byte of a download for this long while the reader waits for one. More lenient than the request
 * timeout: a false alarm here costs a whole transfer, and the caller has already had its first byte.
 */
const DOWNLOAD_STALL_TIMEOUT_MS = 5000;
/** At most one retry inside the SDK (see RetryWhatHelpsAtOnce); the callers retry for as long as it takes. */
const MAX_ATTEMPTS = 2;
/** Requests of one process in flight at once (see ConcurrencyLimit); the HTTP agent allows more sockets than that. */
const MAX_CONCURRENT_OPERATIONS = 64;
const MAX_SOCKETS = 256;
/** S3's floor for every part but the last is 5 MiB; 8 MiB parts keep the request count of big files low. */
const MIN_PART_SIZE = 8 * 1024 * 1024;
/** S3's cap on the number of parts of one upload. */
const MAX_PARTS = 10_000;
/** Parts of one upload in flight at once; the memory one upload holds is about (this + 1) x the part size. */
const UPLOAD_PARTS_IN_FLIGHT = 2;
/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH_SIZE = 1000;
/** Errors inside a DeleteObjects answer (per key) that a retry can fix. */
const RETRYABLE_DELETE_CODES = new Set(['InternalError', 'ServiceUnavailable', 'SlowDown']);

/** The configured bucket does not exist: a configuration error, not an outage. */
export class BucketNotFoundError extends Error {
  override readonly name = 'BucketNotFoundError';
  constructor(
    readonly bucket: string,
    where: string,
  ) {
    super(`the S3 bucket "${bucket}" does not exist at ${where}: create it (or check S3_BUCKET, S3_ENDPOINT and S3_REGION)`);
  }
}

export class S3BlobStore implements BlobStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  /** '' or `prefix/`. */
  private readonly keyPrefix: string;
  private readonly limit = new ConcurrencyLimit(MAX_CONCURRENT_OPERATIONS);
  /** Set once the bucket was seen to exist: a HEAD answers 404 for a missing bucket and a missing key alike. */
  private bucketSeen = false;

  constructor(private readonly settings: S3Settings) {
    if (!settings.bucket) throw new Error('S3 settings: bucket is required');
    const prefix = normalizePrefix(settings.prefix);
    this.bucket = settings.bucket;
    this.keyPrefix = prefix === '' ? '' : `${prefix}/`;
    this.description = `s3://${settings.bucket}/${prefix}${settings.endpoint ? ` at ${settings.endpoint}` : ''}`;
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      maxAttempts: MAX_ATTEMPTS,
      retryStrategy: new RetryWhatHelpsAtOnce(MAX_ATTEMPTS),
      requestHandler: {
        connectionTimeout: CONNECT_TIMEOUT_MS,
        socketTimeout: REQUEST_IDLE_TIMEOUT_MS,
        httpAgent: { maxSockets: MAX_SOCKETS },
        httpsAgent: { maxSockets: MAX_SOCKETS },
      },
      // Request checksums stay at the SDK's default (CRC32 where the operation allows one): moto accepts
      // them (tested), as do current MinIO releases (not tested here). For a store that refuses them,
      // AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED in the environment turns them off (DeleteObjects
      // always sends Content-MD5, see deleteBatch).
    });
    // The idle timeout must not cut a download whose reader is slow: once the headers of a GetObject are
    // in, the socket's timer is switched off and guardStream watches for a stalled source instead.
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'GetObjectCommand') {
          (result.response as { body?: Partial<IncomingMessage> }).body?.socket?.setTimeout(0);
        }
        return result;
      },
      { step: 'deserialize', name: 'releaseDownloadIdleTimeout' },
    );
    // An error from another realm (Node's network errors as seen from jest's sandbox) fails `instanceof
    // Error`, and the SDK's retry step would swap it for a wrapper without its code: copy it first.
    this.client.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          throw error instanceof Error || error === null || typeof error !== 'object'
            ? error
            : Object.assign(new Error(), error, pickErrorFields(error));
        }
      },
      { step: 'deserialize', name: 'keepForeignErrorsRecognisable' },
    );
  }

  put(key: string, data: Uint8Array | string): Promise<void> {
    return this.request('put', key, async () => {
      // The length given, so that an empty body is not taken for a stream of unknown length.
      const contentLength = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data, ContentLength: contentLength }),
      );
    });
  }

  putStream(key: string, body: NodeJS.ReadableStream | Readable, sizeHint?: number): Promise<void> {
    const readable = uploadBody(body);
    return this.request('putStream', key, async () => {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: this.objectKey(key), Body: readable },
        partSize: sizeHint ? Math.max(MIN_PART_SIZE, Math.ceil(sizeHint / MAX_PARTS)) : MIN_PART_SIZE,
        queueSize: UPLOAD_PARTS_IN_FLIGHT,
        // A failed multipart upload is aborted, so its parts do not linger (and cost) in the bucket.
        leavePartsOnError: false,
      });
      await upload.done();
    }).finally(() => readable.destroy());
  }

  async get(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.getStream(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  getStream(key: string): Promise<Readable> {
    return this.request('getStream', key, async () => {
      try {
        const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
        return guardStream(Body as Readable, {
          mapError: (error) => this.toStoreError(error, 'getStream', key),
          stallTimeoutMs: DOWNLOAD_STALL_TIMEOUT_MS,
        });
      } catch (error) {
        if (errorName(error) === 'NoSuchKey') throw new BlobNotFoundError(key, this.description);
        throw error;
      }
    });
  }

  stat(key: string): Promise<BlobInfo | undefined> {
    return this.request('stat', key, async () => {
      try {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
        this.bucketSeen = true;
        return { size: head.ContentLength ?? 0, etag: unquote(head.ETag), lastModified: head.LastModified ?? new Date(0) };
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      if (!this.bucketSeen) await this.assertBucketExists();
      return undefined;
    });
  }

  async list(prefix: string): Promise<string[]> {
    const folder = normalizePrefix(prefix);
    const listed = this.folderPrefix(folder);
    const names: string[] = [];
    for await (const page of this.pages('list', folder, listed, '/')) {
      for (const object of page.Contents ?? []) names.push(object.Key!.slice(listed.length));
      for (const common of page.CommonPrefixes ?? []) names.push(common.Prefix!.slice(listed.length, -1));
    }
    // '' is a "folder marker" object (a key ending in '/') that some consoles create.
    return names.filter((name) => name !== '').sort(compareKeys);
  }

  async *listRecursive(prefix: string): AsyncIterable<{ key: string } & BlobInfo> {
    const folder = normalizePrefix(prefix);
    for await (const page of this.pages('listRecursive', folder, this.folderPrefix(folder))) {
      for (const object of page.Contents ?? []) {
        if (object.Key!.endsWith('/')) continue; // a folder marker, not an object
        yield {
          key: object.Key!.slice(this.keyPrefix.length),
          size: object.Size ?? 0,
          etag: unquote(object.ETag),
          lastModified: object.LastModified ?? new Date(0),
        };
      }
    }
  }

  async remove(keyOrPrefix: string): Promise<void> {
    const key = normalizePrefix(keyOrPrefix);
    if (key === '') throw new Error(`refusing to remove the whole store (${this.description})`);
    await this.request('remove', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })));
    // Lists from the start after each batch rather than paging on: listing is strongly consistent, and a
    // continuation token is not guaranteed to survive the deletion of the keys before it on every store.
    for (;;) {
      const page = await this.request('remove', key, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.folderPrefix(key), MaxKeys: DELETE_BATCH_SIZE })),
      );
      const objects = (page.Contents ?? []).map((object) => ({ Key: object.Key! }));
      if (objects.length === 0) return;
      await this.deleteBatch(key, objects);
      // The listing held everything: no need to list again to see it empty (one round trip less per remove).
      if (!page.IsTruncated) return;
    }
  }

  /** Creates the bucket unless it exists (tests, and `npm start` with a local MinIO). */
  async ensureBucket(): Promise<void> {
    await this.request('ensureBucket', '', async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      try {
        await this.client.send(
          new CreateBucketCommand({
            Bucket: this.bucket,
            // us-east-1 is the one region that takes no location constraint.
            ...(this.settings.region === 'us-east-1'
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: this.settings.region as never } }),
          }),
        );
      } catch (error) {
        if (errorName(error) !== 'BucketAlreadyOwnedByYou') throw error;
      }
    });
    this.bucketSeen = true;
  }

  /** Closes the client's sockets; the store cannot be used afterwards. */
  destroy(): void {
    this.client.destroy();
  }

  private async deleteBatch(prefix: string, objects: { Key: string }[]): Promise<void> {
    const answer = await this.request('remove', prefix, () =>
      this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: objects, Quiet: true },
          // Content-MD5 rather than the SDK's default CRC32: MinIO releases before 2025 refuse a
          // DeleteObjects without it, and AWS accepts both.
          ChecksumAlgorithm: 'MD5',
        }),
      ),
    );
    const failures = answer.Errors ?? [];
    if (failures.length === 0) return;
    const summary = `${failures.length} of ${objects.length} keys not deleted, e.g. ${failures[0].Key}: ${failures[0].Code} ${failures[0].Message ?? ''}`;
    const error = new Error(summary);
    if (failures.some((failure) => RETRYABLE_DELETE_CODES.has(failure.Code ?? ''))) {
      throw new StoreUnavailableError(this.description, `remove ${prefix}`, error);
    }
    throw error;
  }

  private async *pages(operation: string, folder: string, listed: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
    let continuationToken: string | undefined;
    do {
      const page = await this.request(operation, folder, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: listed, Delimiter: delimiter, ContinuationToken: continuationToken }),
        ),
      );
      this.bucketSeen = true;
      yield page;
      continuationToken = page.NextContinuationToken;
    } while (continuationToken);
  }

  private async assertBucketExists(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      this.bucketSeen = true;
    } catch (error) {
      if (isNotFound(error)) throw new BucketNotFoundError(this.bucket, this.where());
      throw error;
    }
  }

  /** Runs one request within the concurrency limit and translates its errors. */
  private request<T>(operation: string, key: string, send: () => Promise<T>): Promise<T> {
    return this.limit.run(async () => {
      try {
        return await send();
      } catch (error) {
        throw this.toStoreError(error, operation, key);
      }
    });
  }

  private toStoreError(error: unknown, operation: string, key: string): unknown {
    if (errorName(error) === 'NoSuchBucket') return new BucketNotFoundError(this.bucket, this.where());
    if (isRetryable(error)) return new StoreUnavailableError(this.description, `${operation} ${key}`.trimEnd(), error);
    return error;
  }

  /** The S3 key of a store key; throws InvalidBlobKeyError for a key that is not a clean relative path. */
  private objectKey(key: string): string {
    assertValidKey(key);
    return this.keyPrefix + key;
  }

  /** The S3 prefix that lists the contents of a folder of the store. */
  private folderPrefix(folder: string): string {
    return this.keyPrefix + (folder === '' ? '' : joinKey(folder, ''));
  }

  private where(): string {
    return this.settings.endpoint ?? `AWS S3 (${this.settings.region})`;
  }
}

/**
 * The SDK's standard retries (backoff, retry quota), restricted to errors that a second attempt a moment
 * later fixes: a keep-alive socket that the store had closed (reset, broken pipe), a 5xx and throttling.
 * Not a refused connection, a timeout or a DNS failure: the store is down, a retry would only delay the
 * answer past the API's 2 s, and the callers retry anyway.
 */
class RetryWhatHelpsAtOnce extends StandardRetryStrategy {
  override refreshRetryTokenForRetry(...[token, errorInfo]: Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>) {
    const { error } = errorInfo;
    const code = (error as { code?: unknown } | undefined)?.code;
    const helpsAtOnce =
      code === 'ECONNRESET' || code === 'EPIPE' || (httpStatus(error) ?? 0) >= 500 || (error !== undefined && isThrottlingError(error));
    return helpsAtOnce ? super.refreshRetryTokenForRetry(token, errorInfo) : Promise.reject(error);
  }
}

/** What the SDK itself would retry: network errors and timeouts, 5xx, throttling. */
function isRetryable(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return isTransientError(sdkError) || isThrottlingError(sdkError);
}

/** The fields of an error that are not enumerable own properties, so Object.assign does not copy them. */
function pickErrorFields(error: object): { name?: unknown; message?: unknown; stack?: unknown } {
  const { name, message, stack } = error as { name?: unknown; message?: unknown; stack?: unknown };
  return { name, message, stack };
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket' || httpStatus(error) === 404;
}

function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}
