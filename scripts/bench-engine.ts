/**
 * Engine benchmark (`npm run bench`): signal generation, full runBacktest on synthetic candles (with the defaults,
 * with stops, and short), and the indicator kit.
 * Figures are medians of several repetitions after a warm-up, the cases run round-robin so machine noise
 * hits them alike; compare them run to run on the same machine. CPU-time figures show what a busy machine hid.
 * The candles are generated here (seeded) so the benchmark depends on nothing but the engine.
 *
 * `npm run bench -- --baseline <git-ref>` also runs the engine as it was at that commit, case by case in the
 * same rounds, and prints each figure beside its baseline: the before-and-after of an engine change in one run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as currentBacktest from '../src/engine/backtest';
import * as currentExecution from '../src/engine/execution';
import * as currentIndicators from '../src/engine/indicators';
import * as currentStrategies from '../src/engine/strategies';
import type { StrategyId } from '../src/engine/strategies';
import { candlesPerSecond, measureRoundRobin, median, type BenchCase } from './lib/bench';
import { PROJECT_ROOT } from './lib/devServices';
import { syntheticCandles } from './lib/syntheticCandles';

/** The parts of the engine the cases call; the indicators, and exit rules in the execution schema, only since they exist. */
interface Engine {
  runBacktest: typeof currentBacktest.runBacktest;
  strategies: typeof currentStrategies.strategies;
  executionParamsSchema: typeof currentExecution.executionParamsSchema;
  indicators?: typeof currentIndicators;
}

function defaultParams(strategyId: StrategyId): Record<string, unknown> {
  return { ...currentStrategies.strategies[strategyId].paramsSchema.parse({}), ...currentExecution.executionParamsSchema.parse({}) };
}

const MILLION = 1_000_000;
const hourlyMillion = syntheticCandles(MILLION, 42, 3_600_000);
const dailyThousand = syntheticCandles(1000, 7, 86_400_000);
const signalBuffer = new Uint8Array(MILLION);
const strategyIds: StrategyId[] = ['volume_zone_breakout', 'volume_long_candle'];

interface EngineCase extends BenchCase {
  /** The label without the commit: a case and its baseline share it. */
  name: string;
  /** Bars processed by one call of `run`. */
  bars: number;
  /** What the last call produced, to print beside the figure. */
  detail: (result: number) => string;
  /** Reported in ms per call rather than candles/s. */
  milliseconds?: boolean;
}

/** The engine's source at `ref`, exported to a scratch folder in the project (so it finds node_modules) and imported from there. */
async function engineAt(ref: string): Promise<{ engine: Engine; dispose: () => void }> {
  mkdirSync(join(PROJECT_ROOT, '.scratch'), { recursive: true });
  const scratch = mkdtempSync(join(PROJECT_ROOT, '.scratch', 'bench-baseline-'));
  const archive = execFileSync('git', ['archive', ref, 'src/engine'], { cwd: PROJECT_ROOT });
  execFileSync('tar', ['-x', '-C', scratch], { input: archive });
  const indicatorsPath = join(scratch, 'src/engine/indicators/index.ts');
  const engine: Engine = {
    runBacktest: (await import(join(scratch, 'src/engine/backtest.ts'))).runBacktest,
    strategies: (await import(join(scratch, 'src/engine/strategies/index.ts'))).strategies,
    executionParamsSchema: (await import(join(scratch, 'src/engine/execution.ts'))).executionParamsSchema,
    indicators: existsSync(indicatorsPath) ? await import(indicatorsPath) : undefined,
  };
  return { engine, dispose: () => rmSync(scratch, { recursive: true, force: true }) };
}

function figure(benchCase: EngineCase, wallMs: number): string {
  return benchCase.milliseconds ? `${wallMs.toFixed(3)} ms` : `${candlesPerSecond(benchCase.bars, wallMs)} candles/s`;
}

/** A case with its label made of its name and the commit suffix. */
function named(name: string, suffix: string, benchCase: Omit<EngineCase, 'name' | 'label'>): EngineCase {
  return { name, label: `${name}${suffix}`, ...benchCase };
}

function engineCases({ runBacktest, strategies }: Engine, suffix: string): EngineCase[] {
  const signalCases = strategyIds.map((strategyId): EngineCase => {
    const params = defaultParams(strategyId);
    const strategy = strategies[strategyId];
    return named(`${strategyId} signals 1M`, suffix, {
      bars: MILLION,
      batch: 1,
      run: () => strategy.signalsInto(hourlyMillion, params as never, signalBuffer),
      detail: (signals) => `${signals} signals`,
    });
  });
  const backtestCases = strategyIds.map((strategyId) => backtestCase(runBacktest, strategyId, defaultParams(strategyId), '', suffix));
  const baselineParams = defaultParams('volume_zone_breakout');
  const predecessorCase = named('baseline 1000 daily candles volume_zone_breakout', suffix, {
    bars: 1000,
    batch: 200,
    run: () => runBacktest(dailyThousand, 'volume_zone_breakout', baselineParams, { periodsPerYear: 365 }).trades.count,
    detail: (trades) => `${trades} trades`,
    milliseconds: true,
  });
  return [...signalCases, ...backtestCases, predecessorCase];
}

function backtestCase(
  runBacktest: Engine['runBacktest'],
  strategyId: StrategyId,
  params: Record<string, unknown>,
  variant: string,
  suffix: string,
): EngineCase {
  return named(`runBacktest ${strategyId} 1M${variant}`, suffix, {
    bars: MILLION,
    batch: 1,
    run: () => runBacktest(hourlyMillion, strategyId, params, { periodsPerYear: 8760 }).trades.count,
    detail: (trades) => `${trades} trades`,
  });
}

/** Runs with exit rules and short positions, at commits whose execution parameters have them. */
function exitRuleCases({ runBacktest, executionParamsSchema }: Engine, suffix: string): EngineCase[] {
  if (!('stop_loss_pct' in executionParamsSchema.shape)) return [];
  const stops = { hold_period_bars: 0, stop_loss_pct: 2, take_profit_pct: 4, trailing_stop_pct: 3 };
  return [
    backtestCase(
      runBacktest,
      'volume_zone_breakout',
      { ...defaultParams('volume_zone_breakout'), ...stops },
      ' hold 0, sl 2 tp 4 trail 3',
      suffix,
    ),
    backtestCase(runBacktest, 'volume_zone_breakout', { ...defaultParams('volume_zone_breakout'), direction: 'short' }, ' short', suffix),
    backtestCase(runBacktest, 'volume_long_candle', { ...defaultParams('volume_long_candle'), direction: 'short' }, ' short', suffix),
  ];
}

/** Each indicator of the kit over the 1M closes (period 20, RSI and ATR 14), at commits that have the kit. */
function indicatorCases({ indicators }: Engine, suffix: string): EngineCase[] {
  if (indicators === undefined) return [];
  const { close, high, low } = hourlyMillion;
  const out = new Float64Array(MILLION);
  const [middle, upper, lower] = [new Float64Array(MILLION), new Float64Array(MILLION), new Float64Array(MILLION)];
  const slow = indicators.sma(close, 50);
  const runs: [string, () => number][] = [
    ['sma 20', () => indicators.smaInto(close, 20, out)],
    ['ema 20', () => indicators.emaInto(close, 20, out)],
    ['rsi 14', () => indicators.rsiInto(close, 14, out)],
    ['atr 14', () => indicators.atrInto(high, low, close, 14, out)],
    ['bollinger 20 x 2', () => indicators.bollingerInto(close, 20, 2, middle, upper, lower)],
    ['rollingMax 20', () => indicators.rollingMaxInto(close, 20, out)],
    ['crossAbove close / sma 50', () => indicators.crossAboveInto(close, slow, signalBuffer)],
  ];
  return runs.map(([name, run]) =>
    named(`indicator ${name} 1M`, suffix, { bars: MILLION, batch: 1, run, detail: (count) => `${count} values or crosses` }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { baseline: { type: 'string' } } });
  const casesOf = (engine: Engine, suffix: string) => [
    ...engineCases(engine, suffix),
    ...exitRuleCases(engine, suffix),
    ...indicatorCases(engine, suffix),
  ];
  const currentEngine: Engine = {
    runBacktest: currentBacktest.runBacktest,
    strategies: currentStrategies.strategies,
    executionParamsSchema: currentExecution.executionParamsSchema,
    indicators: currentIndicators,
  };
  const current = casesOf(currentEngine, '');
  const baseline = values.baseline ? await engineAt(values.baseline) : undefined;
  const before = baseline ? casesOf(baseline.engine, ` @ ${values.baseline}`) : [];
  const cases = [...current, ...before];
  const timings = await measureRoundRobin(cases, 3000, 11);
  baseline?.dispose();
  current.forEach((benchCase, index) => {
    const wallMs = median(timings[index].wallMs);
    const cpuMs = median(timings[index].cpuMs);
    // One comparable line per case (`<case>: <number> candles/s` or `<case>: <number> ms`), details indented below.
    console.log(`${benchCase.label}: ${figure(benchCase, wallMs)}`);
    console.log(
      `  # ${benchCase.detail(timings[index].result!)}, median of ${timings[index].wallMs.length}; by CPU time ${figure(benchCase, cpuMs)}`,
    );
    if (!baseline) return;
    const baselineIndex = before.findIndex((baselineCase) => baselineCase.name === benchCase.name);
    if (baselineIndex === -1) {
      console.log(`  # at ${values.baseline}: no such case (the engine there lacks what it measures)`);
      return;
    }
    const baselineTimings = timings[current.length + baselineIndex];
    const baselineMs = median(baselineTimings.wallMs);
    const speedup = (baselineMs / wallMs - 1) * 100;
    console.log(
      `  # at ${values.baseline}: ${figure(before[baselineIndex], baselineMs)} (${before[baselineIndex].detail(baselineTimings.result!)}); speed now ${speedup >= 0 ? '+' : ''}${speedup.toFixed(1)}%`,
    );
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
