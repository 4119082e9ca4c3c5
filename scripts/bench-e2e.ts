/**
 * End-to-end timings on real components (Temporal dev server, PostgreSQL, HTTP API, workers):
 *   - REST submit -> completed for 1 symbol x 1000 daily candles, with the local store and with an S3 store
 *     (moto, started here), in alternating runs of the same process (p50 and p90 of 10 runs each after a
 *     warm-up; the target is S3 <= 1.5x local), plus how many store requests one run makes;
 *   - 100 symbols x 8760 hourly candles in one backtest, with one worker process and then with two (API and
 *     workers as separate processes, as deployed; end to end, and the history size).
 * Run: npm run bench:e2e
 */
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { writeSampleData } from '../src/data/sampleData';
import { LocalBlobStore, type BlobStore } from '../src/storage/providers';
import { connectClient } from '../src/temporalConnection';
import '../test/integration/awsCredentials';
import { runOnRealStack, startHarness, type Harness } from '../test/integration/harness';
import { startApiProcess, startWorkerProcess, type PlatformProcess, type StackAddresses } from '../test/integration/processes';
import { freePort, startS3Server } from './lib/devServices';

const hourlySymbols = Array.from({ length: 100 }, (_, index) => `H${String(index).padStart(3, '0')}_KRW`);
const RUNS = 10;
// 1000 daily candles: 2022-04-06 .. 2024-12-31.
const single = {
  strategy: 'volume_zone_breakout',
  symbols: ['BTC_KRW'],
  start_date: '2022-04-06',
  end_date: '2024-12-31',
  timeframe: '1d',
};
const wide = {
  strategy: 'volume_zone_breakout',
  symbols: hourlySymbols,
  start_date: '2023-01-01',
  end_date: '2023-12-31',
  timeframe: '1h',
};

/** Submits over HTTP and polls until the task is finished; returns milliseconds. */
async function submitAndWait(api: string, body: object): Promise<{ ms: number; taskId: string }> {
  const started = performance.now();
  const response = await fetch(`${api}/api/backtests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const { task_id: taskId } = (await response.json()) as { task_id: string };
  for (;;) {
    const status = (await (await fetch(`${api}/api/backtests/${taskId}`)).json()) as { status: string };
    if (status.status === 'completed') return { ms: performance.now() - started, taskId };
    if (status.status === 'failed' || status.status === 'cancelled') throw new Error(`task ${taskId} ${status.status}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const median = (sorted: number[]) => (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2;

/** Counts the requests a store serves, by operation. */
function countingStore(store: BlobStore, counts: Map<string, number>): BlobStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts.set(String(property), (counts.get(String(property)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
}

async function serve(harness: Harness): Promise<{ url: string; server: Server }> {
  const server = harness.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function benchSingleSymbol(dataRoot: string): Promise<void> {
  const moto = await startS3Server({ port: await freePort() });
  const s3Settings = {
    S3_ENDPOINT: moto.address,
    S3_BUCKET: 'bench',
    S3_PREFIX: 'e2e',
    S3_FORCE_PATH_STYLE: 'true',
    S3_CREATE_BUCKET: 'true',
  };
  const s3Counts = new Map<string, number>();
  const harnesses: Record<'local' | 's3', Harness | undefined> = { local: undefined, s3: undefined };
  const servers: Server[] = [];
  try {
    harnesses.local = await startHarness({ env: { DATA_ROOT: dataRoot, LOG_LEVEL: 'silent' } });
    harnesses.s3 = await startHarness({
      env: {
        DATA_ROOT: mkdtempSync(join(process.env.TEST_SCRATCH!, 'bench-s3-')),
        STORAGE_PROVIDER: 's3',
        ...s3Settings,
        LOG_LEVEL: 'silent',
      },
      wrapActivityDependencies: (dependencies) => ({ ...dependencies, store: countingStore(dependencies.store, s3Counts) }),
    });
    await writeSampleData({ store: harnesses.s3.store, symbols: ['BTC_KRW'], timeframes: ['1d'] });
    const urls: Record<string, string> = {};
    for (const name of ['local', 's3'] as const) {
      const { url, server } = await serve(harnesses[name]!);
      urls[name] = url;
      servers.push(server);
      await submitAndWait(url, single); // warm-up: caches, connections, JIT
    }
    s3Counts.clear();
    const times: Record<string, number[]> = { local: [], s3: [] };
    // Alternating, so that a noisy moment of the shared machine hits both.
    for (let run = 0; run < RUNS; run++) {
      for (const name of ['local', 's3'] as const) times[name].push((await submitAndWait(urls[name], single)).ms);
    }
    for (const name of ['local', 's3'] as const) {
      const sorted = times[name].sort((a, b) => a - b);
      console.log(
        `e2e 1 symbol x 1000 daily candles, ${name} store: p50 ${median(sorted).toFixed(0)} ms, p90 ${percentile(sorted, 0.9).toFixed(0)} ms`,
      );
    }
    console.log(
      `e2e 1 symbol x 1000 daily candles, s3 / local p50: ${(median(times.s3) / median(times.local)).toFixed(2)}x (target <= 1.5x)`,
    );
    const perRun = [...s3Counts].map(([operation, count]) => `${operation} ${(count / RUNS).toFixed(1)}`).join(', ');
    console.log(`e2e 1 symbol x 1000 daily candles, s3 store requests of the worker per task: ${perRun}`);
  } finally {
    for (const server of servers) server.close();
    for (const harness of Object.values(harnesses)) await harness?.stop();
    await moto.stop();
  }
}

async function benchWide(dataRoot: string): Promise<void> {
  const stack: StackAddresses = {
    dataRoot,
    databaseUrl: process.env.TEST_DATABASE_URL!,
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    taskQueue: `bench-wide-${process.pid}`,
  };
  const processes: PlatformProcess[] = [];
  try {
    const api = await startApiProcess(stack, { LOG_LEVEL: 'silent' });
    processes.push(api);
    for (const workerCount of [1, 2]) {
      while (processes.length - 1 < workerCount) processes.push(await startWorkerProcess(stack, { LOG_LEVEL: 'silent' }));
      await submitAndWait(api.url, { ...wide, symbols: hourlySymbols.slice(0, 4) }); // warm-up of the new worker
      const { ms, taskId } = await submitAndWait(api.url, wide);
      const client = await connectClient({ TEMPORAL_NAMESPACE: 'default', TEMPORAL_ADDRESS: stack.temporalAddress });
      const description = await client.workflow.getHandle(taskId).describe();
      await client.connection.close();
      console.log(
        `e2e 100 symbols x 8760 hourly candles, ${workerCount} worker process${workerCount > 1 ? 'es' : ''}: ${ms.toFixed(0)} ms ` +
          `(history ${description.historySize} bytes, ${description.historyLength} events)`,
      );
    }
  } finally {
    for (const child of processes.reverse()) await child.stop();
  }
}

runOnRealStack(async () => {
  const dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'bench-'));
  const store = new LocalBlobStore(dataRoot);
  await writeSampleData({ store, symbols: ['BTC_KRW'], timeframes: ['1d'] });
  await writeSampleData({ store, symbols: hourlySymbols, timeframes: ['1h'], startDate: '2023-01-01', endDate: '2023-12-31' });
  await benchSingleSymbol(dataRoot);
  await benchWide(dataRoot);
});
