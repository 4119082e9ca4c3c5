/**
 * Determinism guard: histories of real runs (recorded by `npm run record-histories`) must replay against
 * the current workflow code. A change that alters the sequence of commands fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

const HISTORIES_DIR = join(__dirname, 'histories');
const names = readdirSync(HISTORIES_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();

it('has a recorded history for each kind of run', () => {
  expect(names).toEqual(
    expect.arrayContaining([
      'batch-child.json',
      'batched.json',
      'cancelled.json',
      'cleanup.json',
      'completed.json',
      'partially-failed.json',
      'sweep.json',
      'sweep-cancelled.json',
      'sweep-cleanup.json',
      'sweep-walk-forward.json',
      'backup.json',
    ]),
  );
});

it('replays every recorded history without a determinism violation', async () => {
  const histories = names.map((name) => ({
    workflowId: name.replace(/\.json$/, ''),
    history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, name), 'utf8'))),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../../src/workflows') }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
}, 60_000);
