import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCache } from '../../../src/data/fileCache';

let directory: string;
const file = (name: string) => join(directory, name);

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'file-cache-'));
  for (const name of ['a', 'b', 'c']) await writeFile(file(name), name);
});
afterEach(() => rm(directory, { recursive: true, force: true }));

/** A cache of values of 10 "bytes" each, counting how often each file is computed. */
function countingCache(maxBytes?: number) {
  const computed: string[] = [];
  const cache = new FileCache<string>(maxBytes === undefined ? undefined : { maxBytes, sizeOf: () => 10 });
  const read = (name: string) =>
    cache.get(file(name), () => {
      computed.push(name);
      return `value of ${name}`;
    });
  return { computed, read };
}

it('computes a value once while the file is unchanged, again once it changed', async () => {
  const { computed, read } = countingCache();
  expect(await read('a')).toBe('value of a');
  await read('a');
  await writeFile(file('a'), 'changed');
  await read('a');
  expect(computed).toEqual(['a', 'a']);
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
