/**
 * Workers anywhere (DESIGN.md section 13), on real processes of this test's own stack: an S3 server
 * (moto, behind a pausable TCP proxy), a Temporal dev server, a PostgreSQL, the API and two worker
 * processes, each with its own empty DATA_ROOT and LOCAL_CACHE_DIR, so nothing can be read from a local
 * disk that another process wrote. A task is served by both workers; one worker is SIGKILLed mid-task and
 * the other finishes it; the store is unreachable for 60 s during a persist and the task still completes,
 * while no reader ever sees it finished without its files.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startS3Server, startTemporalDevServer, type RunningService } from '../../scripts/lib/devServices';
import type { Manifest } from '../../src/contracts/manifest';
import { writeSampleData } from '../../src/data/sampleData';
import { md5 } from '../../src/shared/checksum';
import { S3BlobStore } from '../../src/storage/providers';
import { connectClient } from '../../src/temporalConnection';
import { waitFor } from './harness';
import { startApiProcess, startPostgresProcess, startWorkerProcess, type PlatformProcess, type StackAddresses } from './processes';
import { startTcpProxy, type TcpProxy } from './tcpProxy';
import { testAwsEnvironment } from './awsCredentials';

const symbols = Array.from({ length: 20 }, (_, index) => `M${String(index).padStart(2, '0')}_KRW`);
const request = { strategy: 'volume_zone_breakout', symbols, start_date: '2023-01-01', end_date: '2024-12-31', timeframe: '1h' };
const BUCKET = 'several-workers';

let scratch: string;
let moto: RunningService;
let proxy: TcpProxy;
let store: S3BlobStore;
let temporal: RunningService;
let postgres: PlatformProcess & { address: string };
let stack: StackAddresses;
let api: PlatformProcess & { url: string };
const workers = new Map<string, PlatformProcess>();

/** What every process of the stack gets: the S3 store through the proxy. */
const storeEnvironment = () => ({
  ...testAwsEnvironment,
  STORAGE_PROVIDER: 's3',
  S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
  S3_BUCKET: BUCKET,
  S3_PREFIX: 'platform',
  S3_FORCE_PATH_STYLE: 'true',
});

/** A worker on its own empty local folders: nothing another process wrote is on its disk. */
async function startWorker(id: string): Promise<PlatformProcess> {
  const local = mkdtempSync(join(scratch, `${id}-`));
  const worker = await startWorkerProcess(stack, {
    ...storeEnvironment(),
    DATA_ROOT: local,
    LOCAL_CACHE_DIR: join(local, 'cache'),
    WORKER_ID: id,
    // Two activities each, four symbols in flight: both workers have to take some.
    WORKER_MAX_CONCURRENT_ACTIVITIES: '2',
  });
  workers.set(id, worker);
  return worker;
}

interface Answer {
  status: number;
  body: any;
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const get = (path: string) => call('GET', path);

async function submit(): Promise<string> {
  const answer = await call('POST', '/api/backtests', request);
  expect(answer.status).toBe(202);
  return answer.body.task_id;
}

const finished = (answer: Answer) => ['completed', 'failed', 'cancelled'].includes(answer.body?.status);
const completedSymbols = (answer: Answer) =>
  answer.body?.symbols?.filter((symbol: { state: string }) => symbol.state === 'completed').length ?? 0;

/** Completed, every file downloaded through the API with the MD5 the manifest lists, and the manifest itself. */
async function expectCompleteThroughApi(taskId: string): Promise<Manifest> {
  const task = await waitFor(() => get(`/api/backtests/${taskId}`), finished, 240_000);
  expect(task.body).toMatchObject({ status: 'completed', result_path: `tasks/${taskId}` });
  const manifestDownload = await fetch(`${api.url}/api/backtests/${taskId}/files/manifest.json`);
  const manifest: Manifest = await manifestDownload.json();
  expect(manifest.summary).toMatchObject({ symbols_processed: symbols.length, symbols_failed: 0 });
  expect(manifest.result_files.map((file) => file.name).sort()).toEqual([
    'metadata.json',
    'performance_curve.parquet',
    'symbol_signals.parquet',
    'symbol_summary.parquet',
  ]);
  for (const file of manifest.result_files) {
    const download = await fetch(`${api.url}/api/backtests/${taskId}/files/${file.name}`);
    expect({ name: file.name, status: download.status, md5: md5(Buffer.from(await download.arrayBuffer())) }).toEqual({
      name: file.name,
      status: 200,
      md5: file.checksum,
    });
  }
  expect(await store.list(`tasks/${taskId}/staging`)).toEqual([]);
  return manifest;
}

/** The attempts of each activity type in a workflow's history. */
async function activityAttempts(taskId: string): Promise<Map<string, number[]>> {
  const client = await connectClient({ TEMPORAL_NAMESPACE: 'default', TEMPORAL_ADDRESS: stack.temporalAddress });
  try {
    const events = (await client.workflow.getHandle(taskId).fetchHistory()).events!;
    const typeOf = new Map<string, string>();
    const attempts = new Map<string, number[]>();
    for (const event of events) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) typeOf.set(String(event.eventId), scheduled.activityType!.name!);
      const started = event.activityTaskStartedEventAttributes;
      if (started) {
        const type = typeOf.get(String(started.scheduledEventId))!;
        attempts.set(type, [...(attempts.get(type) ?? []), started.attempt ?? 1]);
      }
    }
    return attempts;
  } finally {
    await client.connection.close();
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(process.env.TEST_SCRATCH!, 'several-workers-'));
  // Run as root, the embedded PostgreSQL runs as the user `postgres`, which must reach its directory.
  for (const folder of [process.env.TEST_SCRATCH!, scratch]) chmodSync(folder, 0o755);
  const [motoPort, pgPort, temporalPort] = [await freePort(), await freePort(), await freePort()];
  [moto, temporal, postgres] = await Promise.all([
    startS3Server({ port: motoPort }),
    startTemporalDevServer({ port: temporalPort }),
    startPostgresProcess(join(scratch, 'pg'), pgPort, 'several_workers'),
  ]);
  proxy = await startTcpProxy(motoPort);
  store = new S3BlobStore({
    endpoint: `http://127.0.0.1:${proxy.port}`,
    bucket: BUCKET,
    prefix: 'platform',
    region: 'us-east-1',
    forcePathStyle: true,
  });
  await store.ensureBucket();
  await writeSampleData({ store, symbols, timeframes: ['1h'], startDate: '2023-01-01', endDate: '2024-12-31' });
  stack = {
    dataRoot: mkdtempSync(join(scratch, 'api-')),
    databaseUrl: postgres.address,
    temporalAddress: temporal.address,
    taskQueue: `several-${randomUUID()}`,
  };
  [api] = await Promise.all([
    startApiProcess(stack, { ...storeEnvironment(), MAX_PARALLEL_SYMBOLS: '4' }),
    startWorker('worker-a'),
    startWorker('worker-b'),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([...workers.values()].map((worker) => worker.stop()));
  await api?.stop();
  await temporal?.stop();
  await postgres?.stop();
  store?.destroy();
  await proxy?.close();
  await moto?.stop();
}, 120_000);

it('runs a 20-symbol task on two workers that share nothing but the store', async () => {
  const manifest = await expectCompleteThroughApi(await submit());
  const byWorker = new Map<string, number>();
  for (const entry of manifest.metadata.symbols) byWorker.set(entry.worker_id!, (byWorker.get(entry.worker_id!) ?? 0) + 1);
  console.log(`symbols per worker: ${JSON.stringify(Object.fromEntries(byWorker))}; persisted by ${manifest.metadata.worker_id}`);
  expect([...byWorker.keys()].sort()).toEqual(['worker-a', 'worker-b']);
}, 240_000);

it('finishes a task on the other worker when one is SIGKILLed mid-task', async () => {
  const taskId = await submit();
  await waitFor(
    () => get(`/api/backtests/${taskId}`),
    (answer) => completedSymbols(answer) >= 3,
    60_000,
  );
  const victim = workers.get('worker-a')!;
  await victim.stop('SIGKILL');
  workers.delete('worker-a');
  const manifest = await expectCompleteThroughApi(taskId);
  const attempts = await activityAttempts(taskId);
  console.log(`after the kill: symbols per worker ${JSON.stringify(manifest.metadata.symbols.map((entry) => entry.worker_id))}`);
  // Whatever worker-a held in flight was retried on worker-b.
  expect(manifest.metadata.worker_id).toBe('worker-b');
  expect(Math.max(...attempts.get('runSymbolBacktest')!)).toBeGreaterThan(1);
}, 240_000);

it('completes a task whose store is unreachable for 60 s during its persist, never showing it finished without its files', async () => {
  const taskId = await submit();
  const client = await connectClient({ TEMPORAL_NAMESPACE: 'default', TEMPORAL_ADDRESS: stack.temporalAddress });
  try {
    // The moment the persist is scheduled, the store goes away.
    await waitFor(
      () => client.workflow.getHandle(taskId).describe(),
      (description) => (description.raw.pendingActivities ?? []).some((activity) => activity.activityType?.name === 'persistResult'),
      120_000,
    );
  } finally {
    await client.connection.close();
  }
  await proxy.pause();
  const pausedAt = Date.now();
  const seen = new Set<string>();
  try {
    while (Date.now() - pausedAt < 60_000) {
      const answer = await get(`/api/backtests/${taskId}`);
      seen.add(`${answer.status} ${answer.body?.error ?? answer.body?.status}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    await proxy.resume();
  }
  console.log(`answers while the store was down: ${[...seen].join(', ')}`);
  expect([...seen].every((answer) => ['200 running', '503 store_unavailable'].includes(answer))).toBe(true);
  await expectCompleteThroughApi(taskId);
  const attempts = await activityAttempts(taskId);
  console.log(`persistResult attempts: ${attempts.get('persistResult')!.join(', ')}`);
  expect(Math.max(...attempts.get('persistResult')!)).toBeGreaterThan(1);
}, 300_000);
