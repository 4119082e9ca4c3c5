/**
 * A sweep survives its worker (issue 11, DESIGN.md sections 11 and 12), on real processes: a worker is
 * SIGKILLed in the middle of a 10,000-combination sweep and a new one finishes it. The result tables are
 * byte for byte those of an uninterrupted run, the same request run twice gives the same bytes, and the
 * combinations evaluated twice are only those staged after the last heartbeat the server holds: what the
 * new worker reports re-evaluating equals what the store shows at the kill, and stays within what one
 * heartbeat interval allows per running chunk.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { heartbeatsOf } from '../../src/api/workflowState';
import type { SweepChunkHeartbeat, SweepWorkflowInput } from '../../src/contracts/sweep';
import { writeSampleData } from '../../src/data/sampleData';
import { md5 } from '../../src/shared/checksum';
import { LocalBlobStore } from '../../src/storage/providers';
import { PART_ROWS, sweepStagingDirectory } from '../../src/storage/sweepStaging';
import { connectClient } from '../../src/temporalConnection';
import { waitFor } from './harness';
import { startApiProcess, startWorkerProcess, type PlatformProcess, type StackAddresses } from './processes';

const SYMBOL = 'BTC_KRW';
/** 5 x 5 x 25 x 8 x 2 = 10,000 combinations on two years of hourly candles. */
const sweepRequest = {
  strategy: 'volume_zone_breakout',
  symbols: [SYMBOL],
  start_date: '2022-01-01',
  end_date: '2023-12-31',
  timeframe: '1h',
  grid: {
    volume_window: [20, 30, 40, 50, 60],
    top_percentile: [0.1, 0.15, 0.2, 0.25, 0.3],
    breakout_buffer: { from: 0, to: 0.024, step: 0.001 },
    hold_period_bars: [1, 2, 3, 5, 8, 13, 21, 34],
    fee_rate: [0.0005, 0.001],
  },
  objective: { metric: 'sharpe' },
};
const THREADS = 2;
/** How often a worker passes a chunk's heartbeat on to the server at the least (src/worker.ts). */
const HEARTBEAT_INTERVAL_S = 1;

let stack: StackAddresses;
let store: LocalBlobStore;
let api: PlatformProcess & { url: string };
let client: Client;
const workers: PlatformProcess[] = [];

async function startWorker(): Promise<PlatformProcess> {
  const worker = await startWorkerProcess(stack, { WORKER_THREADS: String(THREADS) });
  workers.push(worker);
  return worker;
}

async function getJson(path: string): Promise<any> {
  return (await fetch(`${api.url}${path}`)).json();
}

async function submit(): Promise<string> {
  const response = await fetch(`${api.url}/api/sweeps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(sweepRequest),
  });
  const body = await response.json();
  expect([response.status, body.combinations]).toEqual([202, 10_000]);
  return body.sweep_id;
}

interface SweepManifestFile {
  name: string;
  checksum: string;
}

/** Waits for the sweep to complete and checks every listed file against its checksum. */
async function completedManifest(sweepId: string): Promise<{ result_files: SweepManifestFile[]; sweep: { reevaluated: number } }> {
  const status = await waitFor(
    () => getJson(`/api/sweeps/${sweepId}`),
    (body) => ['completed', 'failed', 'cancelled'].includes(body.status),
    240_000,
  );
  expect(status).toMatchObject({ status: 'completed', evaluated: 10_000 });
  const manifest = JSON.parse((await store.get(`sweeps/${sweepId}/manifest.json`)).toString('utf8'));
  for (const file of manifest.result_files) expect(md5(await store.get(`sweeps/${sweepId}/${file.name}`))).toBe(file.checksum);
  expect(await store.list(sweepStagingDirectory(sweepId))).toEqual([]);
  return manifest;
}

const tableChecksums = (files: SweepManifestFile[]) =>
  Object.fromEntries(files.filter((file) => file.name.endsWith('.parquet')).map((file) => [file.name, file.checksum]));

/** Seconds the sweep's chunks took, from the first scheduled to the last completed, per its history. */
async function chunkSeconds(sweepId: string): Promise<number> {
  const { events } = await client.workflow.getHandle(sweepId).fetchHistory();
  const seconds = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
    Number(time!.seconds) + (time!.nanos ?? 0) / 1e9;
  const chunkEventIds = new Set<string>();
  let first = Infinity;
  let last = 0;
  for (const event of events!) {
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'evaluateSweepChunk') {
      chunkEventIds.add(String(event.eventId));
      first = Math.min(first, seconds(event.eventTime));
    }
    if (chunkEventIds.has(String(event.activityTaskCompletedEventAttributes?.scheduledEventId))) last = seconds(event.eventTime);
  }
  return last - first;
}

beforeAll(async () => {
  const dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'sweep-durability-'));
  store = new LocalBlobStore(dataRoot);
  await writeSampleData({ store, symbols: [SYMBOL], timeframes: ['1h'], startDate: '2022-01-01', endDate: '2023-12-31' });
  stack = {
    dataRoot,
    databaseUrl: process.env.TEST_DATABASE_URL!,
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    taskQueue: `sweep-durability-${randomUUID()}`,
  };
  // Two chunks of 5,000 combinations on two years take about three seconds each, three heartbeat intervals: long
  // enough to be caught part-way (half a year in chunks of 2,560 took under a second and could finish unseen).
  [api] = await Promise.all([startApiProcess(stack, { SWEEP_CHUNK_COMBINATIONS: '5000' }), startWorker()]);
  client = await connectClient({ TEMPORAL_NAMESPACE: 'default', TEMPORAL_ADDRESS: stack.temporalAddress });
}, 180_000);

afterAll(async () => {
  await client?.connection.close();
  await Promise.all([...workers.map((worker) => worker.stop()), api?.stop()]);
}, 120_000);

describe('a 10,000-combination sweep', () => {
  let uninterrupted: Awaited<ReturnType<typeof completedManifest>>;
  let rowsPerSecondPerThread: number;

  beforeAll(async () => {
    const sweepId = await submit();
    uninterrupted = await completedManifest(sweepId);
    rowsPerSecondPerThread = 10_000 / (await chunkSeconds(sweepId)) / THREADS;
  }, 300_000);

  it('gives byte-identical tables when the same request runs again', async () => {
    const again = await completedManifest(await submit());
    expect(Object.keys(tableChecksums(again.result_files))).toEqual(['sweep_results.parquet', 'combo_summary.parquet']);
    expect(tableChecksums(again.result_files)).toEqual(tableChecksums(uninterrupted.result_files));
    expect(again.sweep.reevaluated).toBe(0);
  }, 300_000);

  it('completes after its worker is SIGKILLed mid-way, with the same bytes, re-evaluating only what was not heartbeated', async () => {
    const sweepId = await submit();
    // Killed while a chunk is part-way, as the server knows it: its heartbeat is past its first combination.
    const handle = client.workflow.getHandle(sweepId);
    const midway = await waitFor(
      () => handle.describe(),
      (description) =>
        description.status.name !== 'RUNNING' || heartbeatsOf<SweepChunkHeartbeat>(description).some(({ first, next }) => next > first),
      120_000,
    );
    expect(midway.status.name).toBe('RUNNING');
    const victim = workers.shift()!;
    victim.process.kill('SIGKILL');
    await victim.exited;
    // A heartbeat sent just before the kill may still be on its way to the server.
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Where each chunk will resume: the last heartbeat the server holds; and what the store holds beyond it.
    const resumePoints = heartbeatsOf<SweepChunkHeartbeat>(await handle.describe());
    const started = (await handle.fetchHistory()).events![0].workflowExecutionStartedEventAttributes!;
    const { chunk_size: chunkSize } = defaultPayloadConverter.fromPayload<SweepWorkflowInput>(started.input!.payloads![0]);
    const stagedParts = (await store.list(`${sweepStagingDirectory(sweepId)}/rows/${SYMBOL}/all`)).map((name) => Number.parseInt(name, 10));
    let stagedBeyondHeartbeats = 0;
    let runningChunks = 0;
    for (const { first, next } of resumePoints) {
      const beyond = stagedParts.filter((position) => position >= next && position < first + chunkSize).length * PART_ROWS;
      stagedBeyondHeartbeats += beyond;
      if (next > first || beyond > 0) runningChunks++;
    }
    expect(runningChunks).toBeGreaterThan(0);

    await startWorker();
    const recovered = await completedManifest(sweepId);
    expect(tableChecksums(recovered.result_files)).toEqual(tableChecksums(uninterrupted.result_files));

    // What the new worker reports evaluating twice is exactly what was staged past the server's resume points ...
    expect(recovered.sweep.reevaluated).toBe(stagedBeyondHeartbeats);
    // ... which is at most what a running chunk evaluates in one heartbeat interval (twice the rate measured in
    // the uninterrupted run, for a noisy machine), rounded up to whole parts.
    const perChunk = Math.ceil((2 * rowsPerSecondPerThread * HEARTBEAT_INTERVAL_S) / PART_ROWS + 1) * PART_ROWS;
    console.log(
      `killed with ${runningChunks} chunks running: ${recovered.sweep.reevaluated} combinations evaluated again ` +
        `(bound ${runningChunks * perChunk}; ${rowsPerSecondPerThread.toFixed(0)} rows/s per thread uninterrupted)`,
    );
    expect(recovered.sweep.reevaluated).toBeLessThanOrEqual(runningChunks * perChunk);
  }, 300_000);
});
