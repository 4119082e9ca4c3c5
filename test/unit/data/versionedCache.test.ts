import { VersionedCache } from '../../../src/data/versionedCache';

/** A cache of values of 10 "bytes" each, counting how often each key is computed. */
function countingCache(maxBytes?: number) {
  const computed: string[] = [];
  const versions: Record<string, string> = { a: '1', b: '1', c: '1' };
  const cache = new VersionedCache<string>(maxBytes === undefined ? undefined : { maxBytes, sizeOf: () => 10 });
  const read = (key: string) =>
    cache.get(key, versions[key], () => {
      computed.push(key);
      return `value of ${key} v${versions[key]}`;
    });
  return { computed, read, versions, cache };
}

it('computes a value once while the version is unchanged, again once it changed', async () => {
  const { computed, read, versions } = countingCache();
  expect(await read('a')).toBe('value of a v1');
  await read('a');
  versions.a = '2';
  expect(await read('a')).toBe('value of a v2');
  expect(computed).toEqual(['a', 'a']);
});

it('shares one computation between concurrent reads', async () => {
  const { computed, read } = countingCache();
  await Promise.all([read('a'), read('a'), read('a')]);
  expect(computed).toEqual(['a']);
});

it('does not keep a failed computation', async () => {
  const cache = new VersionedCache<string>();
  await expect(cache.get('a', '1', () => Promise.reject(new Error('broken')))).rejects.toThrow('broken');
  expect(await cache.get('a', '1', () => 'fixed')).toBe('fixed');
});

it('evicts the least recently used value beyond its byte budget', async () => {
  const { computed, read } = countingCache(20);
  await read('a');
  await read('b');
  await read('a'); // a is now the most recently used
  await read('c'); // over budget: b goes
  await read('a');
  await read('c');
  expect(computed).toEqual(['a', 'b', 'c']);
  await read('b');
  expect(computed).toEqual(['a', 'b', 'c', 'b']);
});

it('keeps nothing with a budget of zero', async () => {
  const { computed, read } = countingCache(0);
  await read('a');
  await read('a');
  expect(computed).toEqual(['a', 'a']);
});
