/**
 * Which keys are valid, and the order listings return them in; the same for every provider, so a key
 * that works on one works on the other and a listing reads the same.
 */
import { InvalidBlobKeyError } from './blobStore';

/** S3's limit on a key, in UTF-8 bytes; the local provider keeps it too, so data can move between them. */
const MAX_KEY_BYTES = 1024;

/**
 * The suffix of the local provider's temporary files (`<name>.tmp-<uuid>`): never listed, and refused
 * as a key so that no object can be mistaken for one.
 */
export const TEMPORARY_NAME_PATTERN = /\.tmp-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Throws InvalidBlobKeyError unless the key is a clean relative path that names an object. */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new InvalidBlobKeyError(String(key), 'it is empty');
  assertCleanPath(key);
}

/**
 * Validates a prefix (a "folder") and returns it without a trailing slash; '' (or '/') is the store root.
 * `tasks` and `tasks/` are the same prefix: everything under `tasks/`, never `tasks-old/`.
 */
export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw new InvalidBlobKeyError(String(prefix), 'it is not a string');
  const withoutSlash = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (withoutSlash !== '') assertCleanPath(withoutSlash);
  return withoutSlash;
}

function assertCleanPath(path: string): void {
  if (path.startsWith('/')) throw new InvalidBlobKeyError(path, 'it is absolute');
  if (path.includes('\\')) throw new InvalidBlobKeyError(path, 'it contains a backslash');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new InvalidBlobKeyError(path, 'it contains a control character');
  if (Buffer.byteLength(path, 'utf8') > MAX_KEY_BYTES) throw new InvalidBlobKeyError(path, `it is longer than ${MAX_KEY_BYTES} bytes`);
  for (const segment of path.split('/')) {
    if (segment === '') throw new InvalidBlobKeyError(path, 'it has an empty segment');
    if (segment === '.' || segment === '..') throw new InvalidBlobKeyError(path, `it has a "${segment}" segment`);
    if (TEMPORARY_NAME_PATTERN.test(segment))
      throw new InvalidBlobKeyError(path, `"${segment}" is named like a temporary file of the local store`);
  }
}

/** `prefix/name`, or `name` at the root. */
export function joinKey(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}/${name}`;
}

/**
 * Orders keys by their UTF-8 bytes, as S3 lists them (JavaScript's default sort orders UTF-16 code
 * units, which differs for characters beyond the Basic Multilingual Plane).
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
