/**
 * One conformance suite for both BlobStore providers: the local one in a temporary folder, the S3 one on
 * a real S3-compatible server (moto, started here) reached through a pausable TCP proxy. Then what only
 * one of them has: outages of the S3 server (down, stuck), a missing bucket, slow readers, a full disk.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { freePort, startS3Server, type RunningService } from '../../scripts/lib/devServices';
import {
  BlobNotFoundError,
  BucketNotFoundError,
  InvalidBlobKeyError,
  LocalBlobStore,
  S3BlobStore,
  createBlobStore,
  isStoreUnavailable,
  type BlobStore,
  type S3Settings,
} from '../../src/storage/providers';
import { startTcpProxy, type TcpProxy } from './tcpProxy';

// moto takes any key pair. Set here so that the SDK's credential chain stops at the environment (and never
// asks an instance-metadata address).
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// The module object itself (not an import's copy of it), so that a spy on it reaches the provider's calls.
const fsPromises: typeof import('node:fs/promises') = require('node:fs/promises');

jest.setTimeout(20_000);

const BUCKET = 'blob-store-tests';
const MiB = 1024 * 1024;

let moto: RunningService;
let proxy: TcpProxy;
let scratch: string;
const s3Stores: S3BlobStore[] = [];

function s3Settings(overrides: Partial<S3Settings> = {}): S3Settings {
  return {
    endpoint: `http://127.0.0.1:${proxy.port}`,
    bucket: BUCKET,
    prefix: `run-${randomUUID()}`,
    region: 'us-east-1',
    forcePathStyle: true,
    ...overrides,
  };
}

function newS3Store(overrides: Partial<S3Settings> = {}): S3BlobStore {
  const store = new S3BlobStore(s3Settings(overrides));
  s3Stores.push(store);
  return store;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'blob-stores-'));
  moto = await startS3Server({ port: await freePort() });
  proxy = await startTcpProxy(Number(new URL(moto.address).port));
  await newS3Store().ensureBucket();
});

afterAll(async () => {
  for (const store of s3Stores) store.destroy();
  await proxy?.close();
  await moto?.stop();
  await rm(scratch, { recursive: true, force: true });
});

const names = async (iterable: AsyncIterable<{ key: string }>) => {
  const keys: string[] = [];
  for await (const { key } of iterable) keys.push(key);
  return keys;
};
const read = async (stream: Readable) => Buffer.concat(await stream.toArray());

/** What the callers (Temporal activities) do: try again while the store is unavailable. */
async function retryWhileUnavailable<T>(operation: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A stream of `size` bytes in 1 MiB chunks, and the MD5 of what it sends. */
function randomStream(size: number): { stream: Readable; md5: () => string } {
  const hash = createHash('md5');
  let left = size;
  const stream = new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = randomBytes(Math.min(MiB, left));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, md5: () => hash.digest('hex') };
}

const providers: Array<[string, () => Promise<BlobStore>]> = [
  ['local', async () => new LocalBlobStore(await mkdtemp(join(scratch, 'local-')))],
  ['s3', async () => newS3Store()],
];

describe.each(providers)('the %s provider', (_, createStore) => {
  let store: BlobStore;
  beforeEach(async () => {
    store = await createStore();
  });

  test('put then get returns the same bytes, for text and binary data', async () => {
    const binary = new Uint8Array([0, 1, 2, 253, 254, 255]);
    await store.put('tasks/a/manifest.json', '{"status":"completed","név":"ü"}');
    await store.put('BTC_KRW/1D/2024.parquet', binary);
    expect((await store.get('tasks/a/manifest.json')).toString('utf8')).toBe('{"status":"completed","név":"ü"}');
    expect(new Uint8Array(await store.get('BTC_KRW/1D/2024.parquet'))).toEqual(binary);
    expect(new Uint8Array(await read(await store.getStream('BTC_KRW/1D/2024.parquet')))).toEqual(binary);
  });

  test('put replaces an object; stat gives its size, an etag that changes with the content, and when', async () => {
    const before = Date.now();
    await store.put('x/file.txt', 'first');
    const first = await store.stat('x/file.txt');
    await store.put('x/file.txt', 'second!');
    const second = await store.stat('x/file.txt');
    expect((await store.get('x/file.txt')).toString()).toBe('second!');
    expect(first).toMatchObject({ size: 5 });
    expect(second).toMatchObject({ size: 7 });
    expect(second!.etag).not.toBe(first!.etag);
    expect(second!.etag).toBe((await store.stat('x/file.txt'))!.etag);
    // S3 keeps whole seconds.
    expect(second!.lastModified.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(second!.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  test('a missing key: get and getStream throw BlobNotFoundError naming it, stat is undefined', async () => {
    await store.put('tasks/a/manifest.json', '{}');
    for (const key of ['tasks/b/manifest.json', 'tasks/a', 'tasks/a/manifest.json/more']) {
      await expect(store.get(key)).rejects.toThrow(BlobNotFoundError);
      await expect(store.getStream(key)).rejects.toMatchObject({ name: 'BlobNotFoundError', key });
      await expect(store.get(key)).rejects.toThrow(key);
      expect(await store.stat(key)).toBeUndefined();
    }
  });

  test('list names the files and folders directly under a prefix, sorted, whether or not it ends in a slash', async () => {
    for (const key of [
      'tasks/b/manifest.json',
      'tasks/a/symbol_summary.parquet',
      'tasks/a/manifest.json',
      'tasks/z.json',
      'tasks-old/c.json',
    ]) {
      await store.put(key, key);
    }
    expect(await store.list('tasks')).toEqual(['a', 'b', 'z.json']);
    expect(await store.list('tasks/')).toEqual(['a', 'b', 'z.json']);
    expect(await store.list('tasks/a')).toEqual(['manifest.json', 'symbol_summary.parquet']);
    expect(await store.list('')).toEqual(['tasks', 'tasks-old']);
    expect(await store.list('nothing/here')).toEqual([]);
    expect(await store.list('tasks/z.json')).toEqual([]);
  });

  test('listRecursive yields every object under a prefix in key order, with its size and etag', async () => {
    const keys = ['d/a/x', 'd/a-b', 'd/a/y/z', 'd/b', 'd/A', 'd/é', 'd2/other'];
    for (const key of keys) await store.put(key, `content of ${key}`);
    const listed = [];
    for await (const object of store.listRecursive('d')) listed.push(object);
    expect(listed.map((object) => object.key)).toEqual(['d/A', 'd/a-b', 'd/a/x', 'd/a/y/z', 'd/b', 'd/é']);
    const info = await store.stat('d/a/y/z');
    expect(listed[3]).toEqual({ key: 'd/a/y/z', ...info });
    expect(await names(store.listRecursive(''))).toEqual([...listed.map((object) => object.key), 'd2/other']);
    expect(await names(store.listRecursive('missing'))).toEqual([]);
  });

  test('remove deletes a key or a whole prefix, leaves look-alike siblings, and is fine when nothing is there', async () => {
    for (const key of [
      'tasks/abc/manifest.json',
      'tasks/abc/deep/er.parquet',
      'tasks/abcdef/manifest.json',
      'tasks/abc.json',
      'keep/one',
    ]) {
      await store.put(key, 'x');
    }
    await store.remove('tasks/abc');
    expect(await names(store.listRecursive(''))).toEqual(['keep/one', 'tasks/abc.json', 'tasks/abcdef/manifest.json']);
    await store.remove('tasks/abcdef/manifest.json');
    // An object store has no empty folders: the local provider prunes them too.
    expect(await store.list('tasks')).toEqual(['abc.json']);
    await store.remove('tasks/abc.json');
    await store.remove('never/there');
    await store.remove('tasks/');
    expect(await store.list('')).toEqual(['keep']);
    await expect(store.remove('')).rejects.toThrow(/whole store/);
  });

  test('remove deletes a prefix of more than one batch (1000 keys) of objects', async () => {
    const keys = Array.from({ length: 1005 }, (_, index) => `many/${String(index).padStart(4, '0')}`);
    for (let start = 0; start < keys.length; start += 100) {
      await Promise.all(keys.slice(start, start + 100).map((key) => store.put(key, '')));
    }
    expect((await store.list('many')).length).toBe(1005);
    await store.remove('many');
    expect(await store.list('many')).toEqual([]);
  });

  test('keys that are not clean relative paths are refused with InvalidBlobKeyError, by every operation', async () => {
    const bad = [
      '',
      '/etc/passwd',
      '../outside',
      'a/../../b',
      'a/./b',
      'a//b',
      'a/',
      'a\\b',
      'a\nb',
      `f.tmp-${randomUUID()}`,
      `d.tmp-${randomUUID()}/f`,
    ];
    for (const key of bad) {
      await expect(store.put(key, 'x')).rejects.toThrow(InvalidBlobKeyError);
      await expect(store.putStream(key, Readable.from([Buffer.from('x')]))).rejects.toThrow(InvalidBlobKeyError);
      await expect(store.get(key)).rejects.toThrow(InvalidBlobKeyError);
      await expect(store.getStream(key)).rejects.toThrow(InvalidBlobKeyError);
      await expect(store.stat(key)).rejects.toThrow(InvalidBlobKeyError);
    }
    for (const prefix of ['/abs', '../up', 'a//b', 'a\\b', '..']) {
      await expect(store.list(prefix)).rejects.toThrow(InvalidBlobKeyError);
      await expect(names(store.listRecursive(prefix))).rejects.toThrow(InvalidBlobKeyError);
      await expect(store.remove(prefix)).rejects.toThrow(InvalidBlobKeyError);
    }
    await expect(store.get('../outside')).rejects.toThrow('invalid storage key "../outside": it has a ".." segment');
  });

  test('a 20 MB putStream and getStream round trip keeps every byte', async () => {
    const source = randomStream(20 * MiB);
    await store.putStream('big/blob.bin', source.stream, 20 * MiB);
    const info = await store.stat('big/blob.bin');
    expect(info?.size).toBe(20 * MiB);
    const hash = createHash('md5');
    for await (const chunk of await store.getStream('big/blob.bin')) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(source.md5());
    if (store instanceof S3BlobStore) expect(info?.etag).toMatch(/-3$/); // three 8 MiB parts: a multipart upload
  });

  test('an unfinished putStream is invisible: no key, no temporary file in listings', async () => {
    const body = new PassThrough();
    const upload = store.putStream('staging/part.bin', body);
    body.write(randomBytes(64 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.stat('staging/part.bin')).toBeUndefined();
    expect(await store.list('staging')).toEqual([]);
    expect(await names(store.listRecursive(''))).toEqual([]);
    body.end(randomBytes(1024));
    await upload;
    expect((await store.stat('staging/part.bin'))?.size).toBe(65 * 1024);
    expect(await store.list('staging')).toEqual(['part.bin']);
  });

  test('a putStream whose body fails leaves the old content in place', async () => {
    await store.put('staging/kept.bin', 'old');
    const body = new PassThrough();
    const upload = store.putStream('staging/kept.bin', body);
    body.write(randomBytes(1024));
    body.destroy(new Error('the producer failed'));
    await expect(upload).rejects.toThrow('the producer failed');
    expect((await store.get('staging/kept.bin')).toString()).toBe('old');
    expect(await store.list('staging')).toEqual(['kept.bin']);
  });

  test('concurrent puts of one key leave one whole version, never a mix, and readers only ever see whole versions', async () => {
    const versions = Array.from({ length: 6 }, (_, index) => Buffer.alloc(MiB, index + 1));
    await store.put('race/blob', versions[0]);
    const seen: Buffer[] = [];
    let writing = true;
    // moto (not S3 or MinIO) answers some concurrent writes of one key with a 500, and cuts off a read of
    // the version being replaced: StoreUnavailableError, which the callers retry.
    const readers = (async () => {
      while (writing) seen.push(await retryWhileUnavailable(() => store.get('race/blob')));
    })();
    await Promise.all(
      versions.map((version, index) =>
        retryWhileUnavailable(() => (index % 2 ? store.put('race/blob', version) : store.putStream('race/blob', Readable.from([version])))),
      ),
    );
    writing = false;
    await readers;
    const isWholeVersion = (data: Buffer) => data.length === MiB && data.every((byte) => byte === data[0]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(isWholeVersion)).toBe(true);
    expect(isWholeVersion(await store.get('race/blob'))).toBe(true);
    // After the race, the last put wins.
    await store.put('race/blob', versions[5]);
    expect((await store.get('race/blob')).equals(versions[5])).toBe(true);
    expect(await store.list('race')).toEqual(['blob']);
  });

  test('the description names where the data is', () => {
    expect(store.description).toMatch(store instanceof S3BlobStore ? /^s3:\/\/blob-store-tests\/run-/ : /^local \//);
  });
});

describe('the s3 provider when the server is unreachable', () => {
  let store: S3BlobStore;
  beforeEach(async () => {
    store = newS3Store();
    await store.put('tasks/a/manifest.json', '{}');
  });
  afterEach(() => proxy.resume());

  const operations: Array<[string, (store: BlobStore) => Promise<unknown>]> = [
    ['put', (store) => store.put('tasks/b/manifest.json', '{}')],
    ['putStream', (store) => store.putStream('tasks/b/big.bin', Readable.from([randomBytes(MiB)]))],
    ['get', (store) => store.get('tasks/a/manifest.json')],
    ['getStream', (store) => store.getStream('tasks/a/manifest.json')],
    ['stat', (store) => store.stat('tasks/a/manifest.json')],
    ['list', (store) => store.list('tasks')],
    ['listRecursive', (store) => names(store.listRecursive('tasks'))],
    ['remove', (store) => store.remove('tasks/a')],
  ];

  async function expectUnavailableSoon(operation: (store: BlobStore) => Promise<unknown>, withinMs: number): Promise<number> {
    const started = Date.now();
    const error = await operation(store).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ name: 'StoreUnavailableError', store: store.description });
    expect(isStoreUnavailable(error)).toBe(true);
    expect(elapsed).toBeLessThan(withinMs);
    return elapsed;
  }

  test('down (connection refused): every operation fails with StoreUnavailableError at once, and works as soon as it is back', async () => {
    await proxy.pause('refuse');
    for (const [name, operation] of operations) {
      const elapsed = await expectUnavailableSoon(operation, 2000);
      if (elapsed > 500) throw new Error(`${name} took ${elapsed} ms to fail`);
    }
    await expect(store.get('tasks/a/manifest.json')).rejects.toThrow(/is unavailable \(getStream tasks\/a\/manifest.json\): ECONNREFUSED/);
    await proxy.resume();
    const started = Date.now();
    expect((await store.get('tasks/a/manifest.json')).toString()).toBe('{}');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('stuck (connections accepted, never answered): operations fail with StoreUnavailableError within 2 s', async () => {
    await store.list('tasks'); // leaves a keep-alive connection that the pause then stalls
    await proxy.pause('hang');
    for (const [, operation] of operations.filter(([name]) => ['put', 'stat', 'list'].includes(name))) {
      await expectUnavailableSoon(operation, 2000);
    }
    await proxy.resume();
    expect(await store.stat('tasks/a/manifest.json')).toMatchObject({ size: 2 });
  });

  test('a download whose source stalls midway fails with StoreUnavailableError instead of hanging', async () => {
    // Larger than what the loopback socket buffers can hold once the proxy stalls.
    const size = 32 * MiB;
    await store.put('big.bin', randomBytes(size));
    const stream = await store.getStream('big.bin');
    let received = 0;
    const error = await (async () => {
      for await (const chunk of stream) {
        if (received < MiB && received + (chunk as Buffer).length >= MiB) await proxy.pause('hang');
        received += (chunk as Buffer).length;
      }
    })().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(isStoreUnavailable(error)).toBe(true);
    expect((error as Error).message).toMatch(/getStream big.bin\): ETIMEDOUT: no data for 5000 ms/);
    expect(received).toBeLessThan(size);
  }, 15_000);

  test('a slow reader of a download is not cut off by the idle timeout', async () => {
    const data = randomBytes(4 * MiB);
    await store.put('slow.bin', data);
    const stream = await store.getStream('slow.bin');
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      // Longer than the 1.5 s request idle timeout, once.
      if (chunks.length === 1) await new Promise((resolve) => setTimeout(resolve, 2000));
      chunks.push(chunk as Buffer);
    }
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });
});

describe('the s3 provider and its bucket', () => {
  test('a missing bucket is reported by name, not as a missing key or an outage; ensureBucket creates it', async () => {
    const bucket = `missing-${randomUUID().slice(0, 8)}`;
    const store = newS3Store({ bucket });
    for (const operation of [() => store.get('a'), () => store.stat('a'), () => store.list(''), () => store.put('a', 'x')]) {
      await expect(operation()).rejects.toThrow(BucketNotFoundError);
    }
    await expect(store.stat('a')).rejects.toThrow(`the S3 bucket "${bucket}" does not exist at http://127.0.0.1:${proxy.port}`);
    await store.ensureBucket();
    await store.ensureBucket();
    await store.put('a', 'x');
    expect(await store.stat('b')).toBeUndefined();
  });

  test('createBlobStore builds either provider from settings', async () => {
    const local = createBlobStore({ provider: 'local', dataRoot: scratch });
    expect(local).toBeInstanceOf(LocalBlobStore);
    const s3 = createBlobStore({ provider: 's3', dataRoot: scratch, s3: s3Settings() });
    expect(s3).toBeInstanceOf(S3BlobStore);
    s3Stores.push(s3 as S3BlobStore);
    await s3.put('created/by/factory', 'ok');
    expect((await s3.get('created/by/factory')).toString()).toBe('ok');
    expect(() => createBlobStore({ provider: 's3', dataRoot: scratch })).toThrow(/S3 settings/);
  });
});

describe('the local provider and its disk', () => {
  test('a full disk is reported as StoreUnavailableError naming the store and the operation; no temporary file is left', async () => {
    const root = await mkdtemp(join(scratch, 'full-'));
    const store = new LocalBlobStore(root);
    const diskFull = Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
    const rename = jest.spyOn(fsPromises, 'rename').mockRejectedValueOnce(diskFull);
    try {
      const error = await store.put('tasks/a/manifest.json', '{}').catch((failure: unknown) => failure);
      expect(isStoreUnavailable(error)).toBe(true);
      expect((error as Error).message).toBe(
        `storage local ${root} is unavailable (put tasks/a/manifest.json): ENOSPC: ${diskFull.message}`,
      );
      expect((error as Error).cause).toBe(diskFull);
    } finally {
      rename.mockRestore();
    }
    expect(await readdir(join(root, 'tasks', 'a'))).toEqual([]);
    await store.put('tasks/a/manifest.json', '{}');
    expect(await store.list('tasks/a')).toEqual(['manifest.json']);
  });

  test('a permission error is not an outage: it propagates as it is', async () => {
    const store = new LocalBlobStore(await mkdtemp(join(scratch, 'denied-')));
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const open = jest.spyOn(fsPromises, 'open').mockRejectedValueOnce(denied);
    try {
      await expect(store.put('a', 'x')).rejects.toBe(denied);
    } finally {
      open.mockRestore();
    }
  });
});
