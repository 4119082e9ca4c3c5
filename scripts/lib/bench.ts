/**
 * Timing for the benchmark scripts. The machine is shared and noisy, so cases run round-robin (a noisy
 * neighbour slows them alike) and figures are medians, with CPU time beside wall time.
 */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface BenchCase<T = number> {
  label: string;
  /** Calls timed together per repetition (short cases are batched so the timer resolution does not matter). */
  batch: number;
  run: () => T | Promise<T>;
}

export interface CaseTimings<T = number> {
  /** Milliseconds per call, one entry per timed repetition. */
  wallMs: number[];
  cpuMs: number[];
  /** What the last call returned. */
  result: T | undefined;
}

async function timeBatch<T>(benchCase: BenchCase<T>, timings: CaseTimings<T>): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const startedAt = process.hrtime.bigint();
  for (let call = 0; call < benchCase.batch; call++) timings.result = await benchCase.run();
  timings.wallMs.push(Number(process.hrtime.bigint() - startedAt) / 1e6 / benchCase.batch);
  const cpuUsed = process.cpuUsage(cpuBefore);
  timings.cpuMs.push((cpuUsed.user + cpuUsed.system) / 1000 / benchCase.batch);
}

/**
 * Untimed rounds for at least `warmupMs` (the JIT settles), then `repetitions` timed rounds, each case once
 * per round (in reverse order every other round); returns each case's timings, entry k of each from round k.
 */
export async function measureRoundRobin<T>(cases: BenchCase<T>[], warmupMs: number, repetitions: number): Promise<CaseTimings<T>[]> {
  const timings = cases.map((): CaseTimings<T> => ({ wallMs: [], cpuMs: [], result: undefined }));
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) {
    for (const [index, benchCase] of cases.entries()) await timeBatch(benchCase, timings[index]);
  }
  for (const caseTimings of timings) {
    caseTimings.wallMs.length = 0;
    caseTimings.cpuMs.length = 0;
  }
  for (let round = 0; round < repetitions; round++) {
    // odd rounds run the cases in reverse order, so what a case leaves behind (garbage to collect, a busy cache)
    // weighs on its neighbours on both sides alike
    const order = [...cases.keys()];
    if (round % 2 === 1) order.reverse();
    for (const index of order) await timeBatch(cases[index], timings[index]);
  }
  return timings;
}

export const candlesPerSecond = (candles: number, ms: number) => Math.round(candles / (ms / 1000));
