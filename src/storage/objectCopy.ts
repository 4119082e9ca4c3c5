/**
 * Copying objects between stores (or within one) as streams, with the MD5 of the bytes copied: what
 * backups, restores and `npm run migrate-storage` are made of. A copy can skip an object that the target
 * already holds with the same content, so an interrupted run resumes where it stopped.
 */
import { createHash } from 'node:crypto';
import { Transform, pipeline, type Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from './providers';

export interface CopiedObject {
  size_bytes: number;
  md5: string;
  /** The target already held the same bytes: nothing was written. */
  skipped: boolean;
}

export interface CopyOptions {
  /** Skip the copy when the target holds an object of the same size and MD5. */
  skipIdentical?: boolean;
  /** After writing, read the target back and compare its MD5 with the bytes sent. */
  verify?: boolean;
  /** The source's stat, when the caller has it from a listing. */
  sourceInfo?: BlobInfo;
  /** Called as bytes flow (for heartbeats). */
  onBytes?: (bytes: number) => void;
}

/** S3's ETag of an object uploaded in one part (without KMS encryption) is the MD5 of its bytes. */
const PLAIN_MD5 = /^[0-9a-f]{32}$/;

/** Size and MD5 of a stream's bytes. */
export async function streamMd5(stream: Readable, onBytes?: (bytes: number) => void): Promise<{ size_bytes: number; md5: string }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.((chunk as Buffer).length);
  }
  return { size_bytes: size, md5: hash.digest('hex') };
}

/** Size and MD5 of an object, read as a stream. */
export async function objectMd5(
  store: BlobStore,
  key: string,
  onBytes?: (bytes: number) => void,
): Promise<{ size_bytes: number; md5: string }> {
  return streamMd5(await store.getStream(key), onBytes);
}

/**
 * Whether the target holds the same bytes as the source. Two plain-MD5 ETags are compared as they are;
 * otherwise the objects are read and hashed (an ETag is only a hint: a mismatch means "copy again").
 */
async function sameContent(
  from: BlobStore,
  fromKey: string,
  sourceInfo: BlobInfo,
  to: BlobStore,
  toKey: string,
  targetInfo: BlobInfo,
  onBytes?: (bytes: number) => void,
): Promise<string | undefined> {
  if (targetInfo.size !== sourceInfo.size) return undefined;
  if (PLAIN_MD5.test(sourceInfo.etag) && sourceInfo.etag === targetInfo.etag) return sourceInfo.etag;
  const source = await objectMd5(from, fromKey, onBytes);
  const target = PLAIN_MD5.test(targetInfo.etag) ? targetInfo.etag : (await objectMd5(to, toKey, onBytes)).md5;
  return source.md5 === target ? source.md5 : undefined;
}

/** Streams `body` into `key` of `store`, returning the size and MD5 of the bytes written. */
export async function putStreamWithMd5(
  store: BlobStore,
  key: string,
  body: Readable,
  sizeHint?: number,
  onBytes?: (bytes: number) => void,
): Promise<{ size_bytes: number; md5: string }> {
  const hash = createHash('md5');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  // An error of the source reaches the tap, and so the store's upload, which then fails.
  pipeline(body, tap, () => undefined);
  await store.putStream(key, tap, sizeHint);
  return { size_bytes: size, md5: hash.digest('hex') };
}

/**
 * Copies `fromKey` of `from` to `toKey` of `to`, streamed (a large object never sits in memory whole).
 * Throws BlobNotFoundError when the source is missing, and an Error naming both MD5s when `verify`
 * finds the target differs from what was sent.
 */
export async function copyObject(
  from: BlobStore,
  fromKey: string,
  to: BlobStore,
  toKey: string,
  options: CopyOptions = {},
): Promise<CopiedObject> {
  const sourceInfo = options.sourceInfo ?? (await from.stat(fromKey));
  if (options.skipIdentical && sourceInfo) {
    const targetInfo = await to.stat(toKey);
    const md5 = targetInfo && (await sameContent(from, fromKey, sourceInfo, to, toKey, targetInfo, options.onBytes));
    if (md5) return { size_bytes: sourceInfo.size, md5, skipped: true };
  }
  const { size_bytes: size, md5 } = await putStreamWithMd5(to, toKey, await from.getStream(fromKey), sourceInfo?.size, options.onBytes);
  if (options.verify) {
    // A plain-MD5 ETag equal to the bytes sent proves them written; otherwise the object is read back.
    const writtenInfo = await to.stat(toKey);
    if (writtenInfo?.etag === md5 && writtenInfo.size === size) return { size_bytes: size, md5, skipped: false };
    const written = await objectMd5(to, toKey, options.onBytes);
    if (written.md5 !== md5 || written.size_bytes !== size) {
      throw new Error(
        `${toKey} differs after the copy: sent ${size} bytes with MD5 ${md5}, ${to.description} holds ${written.size_bytes} bytes with MD5 ${written.md5}`,
      );
    }
  }
  return { size_bytes: size, md5, skipped: false };
}
