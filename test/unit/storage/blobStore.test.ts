import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '../../../src/storage/blobStore';

describe('LocalBlobStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'blobstore-'));
  const store = new LocalBlobStore(root);

  it('writes, reads, sizes and lists keys, leaving no temporary files', async () => {
    await store.put('tasks/a/one.json', '{"x":1}');
    await store.put('tasks/a/two.bin', new Uint8Array([1, 2, 3]));
    await store.put('tasks/a/two.bin', new Uint8Array([4, 5]));
    expect((await store.get('tasks/a/one.json')).toString()).toBe('{"x":1}');
    expect(await store.size('tasks/a/two.bin')).toBe(2);
    expect(await store.size('tasks/a/missing')).toBeUndefined();
    expect(await store.list('tasks/a')).toEqual(['one.json', 'two.bin']);
    expect(readdirSync(join(root, 'tasks/a'))).toEqual(['one.json', 'two.bin']);
  });

  it('removes a prefix, and removing a missing one is fine', async () => {
    await store.remove('tasks/a');
    expect(await store.list('tasks/a')).toEqual([]);
    await expect(store.remove('tasks/a')).resolves.toBeUndefined();
  });

  it('refuses keys that escape the root', () => {
    expect(() => store.localPath('../outside')).toThrow(/escapes the data root/);
    expect(() => store.localPath('tasks/../../outside')).toThrow(/escapes the data root/);
  });
});
