/**
 * Engine benchmark (`npm run bench`): signal generation and full runBacktest on synthetic candles.
 * Figures are medians of several repetitions after a warm-up, the cases run round-robin so machine noise
 * hits them alike; compare them run to run on the same machine. CPU-time figures show what a busy machine hid.
 * The candles are generated here (seeded) so the benchmark depends on nothing but the engine.
 */
import { runBacktest } from '../src/engine/backtest';
import { executionParamsSchema } from '../src/engine/execution';
import { strategies, type StrategyId } from '../src/engine/strategies';
import type { Candles } from '../src/engine/types';
import { candlesPerSecond, measureRoundRobin, median, type BenchCase } from './lib/bench';

/** mulberry32: a small, fast, seeded PRNG with uniform output in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random walk with clustered volatility (GARCH-like) and volume that clusters and rises with the
 * size of the move, so both strategies fire at realistic rates.
 */
function syntheticCandles(barCount: number, seed: number, barMs: number): Candles {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const candles: Candles = {
    length: barCount,
    timestamp: new Float64Array(barCount),
    open: new Float64Array(barCount),
    high: new Float64Array(barCount),
    low: new Float64Array(barCount),
    close: new Float64Array(barCount),
    volume: new Float64Array(barCount),
  };
  let price = 50_000;
  let variance = 0.02 * 0.02;
  let logVolumeLevel = Math.log(1_000);
  for (let i = 0; i < barCount; i++) {
    const barReturn = Math.sqrt(variance) * gaussian() + 0.0002;
    variance = 0.000004 + 0.1 * barReturn * barReturn + 0.88 * variance;
    const open = price;
    const close = open * Math.exp(barReturn);
    const wickScale = Math.sqrt(variance) * 0.6;
    logVolumeLevel = 0.95 * logVolumeLevel + 0.05 * Math.log(1_000) + 0.25 * gaussian();
    candles.timestamp[i] = 1_577_836_800_000 + i * barMs;
    candles.open[i] = open;
    candles.close[i] = close;
    candles.high[i] = Math.max(open, close) * Math.exp(Math.abs(gaussian()) * wickScale);
    candles.low[i] = Math.min(open, close) * Math.exp(-Math.abs(gaussian()) * wickScale);
    candles.volume[i] = Math.exp(logVolumeLevel + 25 * Math.abs(barReturn));
    price = close;
  }
  return candles;
}

function defaultParams(strategyId: StrategyId): Record<string, unknown> {
  return { ...strategies[strategyId].paramsSchema.parse({}), ...executionParamsSchema.parse({}) };
}

const MILLION = 1_000_000;
const hourlyMillion = syntheticCandles(MILLION, 42, 3_600_000);
const dailyThousand = syntheticCandles(1000, 7, 86_400_000);
const signalBuffer = new Uint8Array(MILLION);
const strategyIds: StrategyId[] = ['volume_zone_breakout', 'volume_long_candle'];

interface EngineCase extends BenchCase {
  /** Bars processed by one call of `run`. */
  bars: number;
  /** What the last call produced, to print beside the figure. */
  detail: (result: number) => string;
}

const signalCases = strategyIds.map((strategyId): EngineCase => {
  const params = defaultParams(strategyId);
  const strategy = strategies[strategyId];
  return {
    label: `${strategyId} signals 1M`,
    bars: MILLION,
    batch: 1,
    run: () => strategy.signalsInto(hourlyMillion, params as never, signalBuffer),
    detail: (signals) => `${signals} signals`,
  };
});
const backtestCases = strategyIds.map((strategyId): EngineCase => {
  const params = defaultParams(strategyId);
  return {
    label: `runBacktest ${strategyId} 1M`,
    bars: MILLION,
    batch: 1,
    run: () => runBacktest(hourlyMillion, strategyId, params, { periodsPerYear: 8760 }).trades.count,
    detail: (trades) => `${trades} trades`,
  };
});
const baselineParams = defaultParams('volume_zone_breakout');
const baselineCase: EngineCase = {
  label: 'baseline 1000 daily candles volume_zone_breakout',
  bars: 1000,
  batch: 200,
  run: () => runBacktest(dailyThousand, 'volume_zone_breakout', baselineParams, { periodsPerYear: 365 }).trades.count,
  detail: (trades) => `${trades} trades`,
};

async function main(): Promise<void> {
  const cases = [...signalCases, ...backtestCases, baselineCase];
  const timings = await measureRoundRobin(cases, 3000, 11);
  cases.forEach((benchCase, index) => {
    const wallMs = median(timings[index].wallMs);
    const cpuMs = median(timings[index].cpuMs);
    const detail = `${benchCase.detail(timings[index].result!)}, median of ${timings[index].wallMs.length}`;
    // One comparable line per case (`<case>: <number> candles/s` or `<case>: <number> ms`), details indented below.
    if (benchCase === baselineCase) {
      console.log(`${benchCase.label}: ${wallMs.toFixed(3)} ms`);
      console.log(`  # ${detail}; by CPU time ${cpuMs.toFixed(3)} ms`);
    } else {
      console.log(`${benchCase.label}: ${candlesPerSecond(benchCase.bars, wallMs)} candles/s`);
      console.log(`  # ${detail}, ${wallMs.toFixed(1)} ms; by CPU time ${candlesPerSecond(benchCase.bars, cpuMs)} candles/s`);
    }
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
