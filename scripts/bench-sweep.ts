/**
 * Sweep and throughput benchmark (`npm run bench:sweep`; DESIGN.md section 10 and issue 11), end to end through
 * the API and a worker process as deployed (WORKER_THREADS threads), on the real stack, printing in one run:
 *   - evaluations/s of a 10,000-combination sweep on 1 symbol x 8,760 hourly candles, for each built-in strategy,
 *     beside the single-thread runBacktest throughput on the same series (target >= 500 and >= 2,000 /s);
 *   - 200 single-symbol 8,760-candle backtests submitted at once: backtests/s (target >= 20);
 *   - 100 symbols x 8,760 hourly candles as one backtest: seconds (target < 3);
 *   - a 100,000-combination sweep: its history size and the worker's peak RSS (targets < 2 MB, < 1.5 GB).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { runBacktest } from '../src/engine/backtest';
import { executionParamsSchema } from '../src/engine/execution';
import { builtinStrategies, type BuiltinStrategyId } from '../src/engine/strategies';
import { MarketData } from '../src/data/marketData';
import { writeSampleData } from '../src/data/sampleData';
import { LocalBlobStore } from '../src/storage/providers';
import { connectClient } from '../src/temporalConnection';
import { runOnRealStack } from '../test/integration/harness';
import { startApiProcess, startWorkerProcess } from '../test/integration/processes';

const SYMBOL = 'BTC_KRW';
const YEAR = { start_date: '2023-01-01', end_date: '2023-12-31', timeframe: '1h' } as const;
const wideSymbols = Array.from({ length: 100 }, (_, index) => `H${String(index).padStart(3, '0')}_KRW`);

/** Grids of exactly 10,000 combinations on parameters a quant would sweep. */
const grids: Record<BuiltinStrategyId, Record<string, unknown>> = {
  volume_zone_breakout: {
    volume_window: [20, 30, 40, 50, 60],
    top_percentile: [0.1, 0.15, 0.2, 0.25, 0.3],
    breakout_buffer: { from: 0, to: 0.024, step: 0.001 },
    hold_period_bars: [1, 2, 3, 5, 8, 13, 21, 34],
    fee_rate: [0.0005, 0.001],
  },
  volume_long_candle: {
    vol_ma_window: [10, 20, 30, 40, 50],
    vol_multiplier: { from: 1, to: 2.9, step: 0.1 },
    body_pct: [0.005, 0.01, 0.015, 0.02, 0.025],
    hold_period_bars: { from: 1, to: 20, step: 1 },
  },
};

/** 100,000 combinations of the zone breakout. */
const largeGrid = {
  ...grids.volume_zone_breakout,
  volume_window: [15, 20, 25, 30, 35, 40, 45, 50, 55, 60],
  fee_rate: [0, 0.0005, 0.001, 0.0015, 0.002],
};

/** The fields of the API's answers (202 of a submission, status of a task or sweep) this script reads. */
interface Answer {
  sweep_id: string;
  task_id: string;
  combinations: number;
  evaluations: number;
  status: string;
  error?: string;
}

async function post(api: string, path: string, body: object): Promise<Answer> {
  const response = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status !== 202) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

async function waitUntilDone(api: string, path: string): Promise<Answer> {
  for (;;) {
    const status = await (await fetch(`${api}${path}`)).json();
    if (['completed', 'failed', 'cancelled'].includes(status.status)) {
      if (status.status !== 'completed') throw new Error(`${path} ${status.status}: ${status.error}`);
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Single-thread runBacktest runs per second on the series, over at least two seconds. */
function runBacktestRate(store: LocalBlobStore, strategy: BuiltinStrategyId): Promise<number> {
  const marketData = new MarketData({ store, cacheBytes: 1e9 });
  return marketData
    .loadCandles({ symbol: SYMBOL, timeframe: '1h', startDate: YEAR.start_date, endDate: YEAR.end_date })
    .then(({ candles }) => {
      const params = { ...builtinStrategies[strategy].paramsSchema.parse({}), ...executionParamsSchema.parse({}) };
      let runs = 0;
      const started = performance.now();
      while (performance.now() - started < 2000 || runs < 20) {
        runBacktest(candles, strategy, params, { periodsPerYear: 8760 });
        runs++;
      }
      return runs / ((performance.now() - started) / 1000);
    });
}

/** CPU seconds used so far by the processes of the stack: the worker and API by pid, the rest by command line. */
type CpuSeconds = Record<'temporal' | 'worker' | 'api' | 'postgres', number>;

function cpuSeconds(pids: { worker: number; api: number }): CpuSeconds {
  const used: CpuSeconds = { temporal: 0, worker: 0, api: 0, postgres: 0 };
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    let commandLine: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const role =
      Number(pid) === pids.worker
        ? 'worker'
        : Number(pid) === pids.api
          ? 'api'
          : /temporal\0server\0start-dev/.test(commandLine)
            ? 'temporal'
            : /postgres/.test(commandLine)
              ? 'postgres'
              : undefined;
    if (!role) continue;
    // utime and stime: fields 14 and 15, counted after the command name in parentheses
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    used[role] += (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return used;
}

/** Where the CPU went between two readings, per unit of work, and the rate two cores allow at that cost. */
function cpuReport(before: CpuSeconds, after: CpuSeconds, units: number, unit: string): string {
  const roles = Object.keys(before) as (keyof CpuSeconds)[];
  const perUnit = Object.fromEntries(roles.map((role) => [role, (after[role] - before[role]) / units]));
  const total = Object.values(perUnit).reduce((sum, seconds) => sum + seconds, 0);
  const parts = Object.entries(perUnit).map(([role, seconds]) => `${role} ${(seconds * 1000).toFixed(1)}`);
  return `CPU ms per ${unit}: ${parts.join(', ')}; ${(total * 1000).toFixed(1)} in all, so 2 cores allow at most ${(2 / total).toFixed(1)} ${unit}s/s`;
}

const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

runOnRealStack(async () => {
  const dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'bench-sweep-'));
  const store = new LocalBlobStore(dataRoot);
  await writeSampleData({
    store,
    symbols: [SYMBOL, ...wideSymbols],
    timeframes: ['1h'],
    startDate: YEAR.start_date,
    endDate: YEAR.end_date,
  });
  const stack = {
    dataRoot,
    databaseUrl: process.env.TEST_DATABASE_URL!,
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    taskQueue: `bench-sweep-${process.pid}`,
  };
  const limits = { SUBMISSIONS_PER_MINUTE: '100000', MAX_PARALLEL_SYMBOLS: '16', LOG_LEVEL: 'error' };
  const [api, worker] = await Promise.all([startApiProcess(stack, limits), startWorkerProcess(stack, limits)]);
  const client = await connectClient({ TEMPORAL_NAMESPACE: 'default', TEMPORAL_ADDRESS: stack.temporalAddress });
  try {
    console.log(
      `worker threads: ${process.env.WORKER_THREADS ?? 'one per core'}; 1 symbol x 8,760 hourly candles (${SYMBOL} ${YEAR.start_date}..${YEAR.end_date})`,
    );
    for (const strategy of Object.keys(grids) as BuiltinStrategyId[]) {
      const body = { strategy, symbols: [SYMBOL], ...YEAR, grid: grids[strategy], objective: { metric: 'sharpe' } };
      const started = performance.now();
      const submitted = await post(api.url, '/api/sweeps', body);
      await waitUntilDone(api.url, `/api/sweeps/${submitted.sweep_id}`);
      const seconds = (performance.now() - started) / 1000;
      const single = await runBacktestRate(store, strategy);
      console.log(
        `${strategy} sweep, ${submitted.combinations} combinations: ${(submitted.evaluations / seconds).toFixed(0)} evaluations/s`,
      );
      console.log(`  # ${seconds.toFixed(2)} s end to end; single-thread runBacktest on the same series: ${single.toFixed(0)} runs/s`);
    }

    const params = (index: number) => ({
      volume_window: 20 + (index % 41),
      breakout_buffer: (index % 7) * 0.002,
      hold_period_bars: 1 + (index % 5),
    });
    const pids = { worker: worker.process.pid!, api: api.process.pid! };
    const manyCpu = cpuSeconds(pids);
    const manyStarted = performance.now();
    const since = new Date().toISOString();
    await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        post(api.url, '/api/backtests', { strategy: 'volume_zone_breakout', symbols: [SYMBOL], ...YEAR, params: params(index) }),
      ),
    );
    // One cheap history query at a time (a row is written as a task ends), not 200 status requests: the
    // observer should not load the stack it measures.
    const ended = async (status: string) =>
      (await (await fetch(`${api.url}/api/backtests?status=${status}&created_after=${since}&limit=1`)).json()).total;
    while ((await ended('completed')) + (await ended('failed')) < 200) await new Promise((resolve) => setTimeout(resolve, 100));
    const manySeconds = (performance.now() - manyStarted) / 1000;
    if ((await ended('failed')) > 0) throw new Error('some of the 200 backtests failed');
    console.log(`200 single-symbol backtests submitted at once: ${(200 / manySeconds).toFixed(1)} backtests/s`);
    console.log(`  # ${manySeconds.toFixed(2)} s from the first submit to the last completion`);
    console.log(`  # ${cpuReport(manyCpu, cpuSeconds(pids), 200, 'backtest')}`);

    // The first run reads and decodes the 100 symbols' files; the second finds them in the caches.
    for (const run of ['first run, caches cold', 'again, caches warm']) {
      const wideCpu = cpuSeconds(pids);
      const wideStarted = performance.now();
      const wide = await post(api.url, '/api/backtests', { strategy: 'volume_zone_breakout', symbols: wideSymbols, ...YEAR });
      await waitUntilDone(api.url, `/api/backtests/${wide.task_id}`);
      const wideSeconds = (performance.now() - wideStarted) / 1000;
      console.log(`100 symbols x 8,760 hourly candles as one backtest (${run}): ${wideSeconds.toFixed(2)} s`);
      console.log(`  # ${cpuReport(wideCpu, cpuSeconds(pids), 100, 'symbol')}`);
    }

    const largeStarted = performance.now();
    const large = await post(api.url, '/api/sweeps', {
      strategy: 'volume_zone_breakout',
      symbols: [SYMBOL],
      ...YEAR,
      grid: largeGrid,
      objective: { metric: 'sharpe' },
    });
    await waitUntilDone(api.url, `/api/sweeps/${large.sweep_id}`);
    const largeSeconds = (performance.now() - largeStarted) / 1000;
    const history = await client.workflow.getHandle(large.sweep_id).fetchHistory();
    const historyBytes = Buffer.byteLength(JSON.stringify(historyToJSON(history)));
    console.log(
      `100,000-combination sweep: history ${(historyBytes / 1e6).toFixed(2)} MB (${history.events?.length} events), worker peak RSS ${peakRssMb(worker.process.pid!).toFixed(0)} MB`,
    );
    console.log(`  # ${largeSeconds.toFixed(1)} s end to end, ${(large.evaluations / largeSeconds).toFixed(0)} evaluations/s`);
  } finally {
    await client.connection.close();
    await Promise.all([api.stop(), worker.stop()]);
  }
});
