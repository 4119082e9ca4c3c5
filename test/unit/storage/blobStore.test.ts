import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobNotFoundError, LocalBlobStore } from '../../../src/storage/blobStore';

describe('LocalBlobStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'blobstore-'));
  const store = new LocalBlobStore(root);

  it('writes, reads, stats and lists keys, leaving no temporary files', async () => {
    await store.put('tasks/a/one.json', '{"x":1}');
    await store.put('tasks/a/two.bin', new Uint8Array([1, 2, 3]));
    const before = await store.stat('tasks/a/two.bin');
    await store.put('tasks/a/two.bin', new Uint8Array([4, 5]));
    expect((await store.get('tasks/a/one.json')).toString()).toBe('{"x":1}');
    expect(await store.stat('tasks/a/two.bin')).toMatchObject({ size: 2 });
    expect((await store.stat('tasks/a/two.bin'))?.etag).not.toBe(before?.etag);
    expect(await store.stat('tasks/a/missing')).toBeUndefined();
    expect(await store.list('tasks/a')).toEqual(['one.json', 'two.bin']);
    expect(await store.list('tasks')).toEqual(['a']);
    expect(readdirSync(join(root, 'tasks/a'))).toEqual(['one.json', 'two.bin']);
  });

  it('streams in and out, and lists every object under a prefix', async () => {
    await store.putStream('tasks/b/streamed.bin', Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    const chunks: Buffer[] = [];
    for await (const chunk of await store.getStream('tasks/b/streamed.bin')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello world');
    const keys: string[] = [];
    for await (const object of store.listRecursive('tasks')) keys.push(object.key);
    expect(keys).toEqual(['tasks/a/one.json', 'tasks/a/two.bin', 'tasks/b/streamed.bin']);
  });

  it('says which key is missing', async () => {
    await expect(store.get('tasks/a/missing')).rejects.toThrow(BlobNotFoundError);
    await expect(store.getStream('tasks/a/missing')).rejects.toThrow(/no object tasks\/a\/missing/);
  });

  it('removes a prefix, and removing a missing one is fine', async () => {
    await store.remove('tasks/a');
    expect(await store.list('tasks/a')).toEqual([]);
    await expect(store.remove('tasks/a')).resolves.toBeUndefined();
  });

  it('refuses keys that escape the root', async () => {
    await expect(store.get('../outside')).rejects.toThrow(/invalid storage key/);
    await expect(store.put('tasks/../../outside', 'x')).rejects.toThrow(/invalid storage key/);
    await expect(store.stat('/etc/passwd')).rejects.toThrow(/invalid storage key/);
  });
});
