/**
 * Engine benchmark (`npm run bench`): signal generation, full runBacktest on synthetic candles (with the defaults,
 * with stops, and short), the indicator kit, and the example strategy plugins loaded from strategies/.
 * Figures are medians of several repetitions after a warm-up, the cases run round-robin so machine noise
 * hits them alike; compare them run to run on the same machine. CPU-time figures show what a busy machine hid.
 * The candles are generated here (seeded) so the benchmark depends on nothing but the engine.
 *
 * `npm run bench -- --baseline <git-ref>` also runs the engine as it was at that commit, each case right after its
 * counterpart in the same rounds, and prints each figure beside its baseline with the change as the median of the
 * rounds' ratios: the before-and-after of an engine change in one run.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as currentBacktest from '../src/engine/backtest';
import * as currentExecution from '../src/engine/execution';
import * as currentIndicators from '../src/engine/indicators';
import * as currentStrategies from '../src/engine/strategies';
import type { BuiltinStrategyId } from '../src/engine/strategies';
import { loadStrategyRegistry } from '../src/strategyPlugins';
import { candlesPerSecond, measureRoundRobin, median, type BenchCase, type CaseTimings } from './lib/bench';
import { PROJECT_ROOT } from './lib/devServices';
import { syntheticCandles } from './lib/syntheticCandles';

/** The parts of the engine the cases call; the indicators, and exit rules in the execution schema, only since they exist. */
interface Engine {
  runBacktest: typeof currentBacktest.runBacktest;
  /** The built-in strategies by id (`strategies` at commits before plugins). */
  strategies: typeof currentStrategies.builtinStrategies;
  executionParamsSchema: typeof currentExecution.executionParamsSchema;
  indicators?: typeof currentIndicators;
}

function defaultParams(strategyId: BuiltinStrategyId): Record<string, unknown> {
  return { ...currentStrategies.builtinStrategies[strategyId].paramsSchema.parse({}), ...currentExecution.executionParamsSchema.parse({}) };
}

const MILLION = 1_000_000;
const hourlyMillion = syntheticCandles(MILLION, 42, 3_600_000);
const dailyThousand = syntheticCandles(1000, 7, 86_400_000);
const signalBuffer = new Uint8Array(MILLION);
const strategyIds: BuiltinStrategyId[] = ['volume_zone_breakout', 'volume_long_candle'];

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

/** The built-ins of an engine's strategies module, at commits before plugins (`strategies`) and after (`builtinStrategies`). */
function builtinStrategiesOf(module: {
  builtinStrategies?: Engine['strategies'];
  strategies?: Engine['strategies'];
}): Engine['strategies'] {
  return module.builtinStrategies ?? module.strategies!;
}

/**
 * The engine's source at `ref` (a git ref, or null for the working tree), copied to a scratch folder in the project (so
 * it finds node_modules) and imported from there. The current engine is loaded this way too when it is compared with
 * a baseline: the loader (a dynamic import) compiles the two copies alike, where the static imports of this script
 * would not, and that alone moved figures of the same code by several percent.
 */
async function engineAt(ref: string | null): Promise<{ engine: Engine; dispose: () => void }> {
  mkdirSync(join(PROJECT_ROOT, '.scratch'), { recursive: true });
  const scratch = mkdtempSync(join(PROJECT_ROOT, '.scratch', 'bench-engine-'));
  if (ref === null) {
    cpSync(join(PROJECT_ROOT, 'src/engine'), join(scratch, 'src/engine'), { recursive: true });
  } else {
    const archive = execFileSync('git', ['archive', ref, 'src/engine'], { cwd: PROJECT_ROOT });
    execFileSync('tar', ['-x', '-C', scratch], { input: archive });
  }
  const indicatorsPath = join(scratch, 'src/engine/indicators/index.ts');
  const engine: Engine = {
    runBacktest: (await import(join(scratch, 'src/engine/backtest.ts'))).runBacktest,
    strategies: builtinStrategiesOf(await import(join(scratch, 'src/engine/strategies/index.ts'))),
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
  strategyId: BuiltinStrategyId,
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

/**
 * The example plugins of strategies/, loaded as the API and the workers load them, each run the way its description
 * suggests: the SMA crossover on its exit signals, the RSI mean reversion with stops, the Bollinger breakout short.
 * Current engine only: plugins are newer than any baseline worth comparing with.
 */
async function pluginCases(): Promise<EngineCase[]> {
  const registry = await loadStrategyRegistry({ directory: join(PROJECT_ROOT, 'strategies') });
  const runs: [string, Record<string, unknown>, string][] = [
    ['sma_crossover', {}, ' (exit signals)'],
    ['rsi_mean_reversion', { stop_loss_pct: 3, take_profit_pct: 4 }, ', sl 3 tp 4'],
    ['bollinger_breakout', { direction: 'short' }, ' short'],
  ];
  return runs.map(([id, overrides, variant]) => {
    const entry = registry.get(id);
    if (!entry) throw new Error(`plugin ${id} did not load: ${registry.unavailable(id)[0]?.error ?? 'not in strategies/'}`);
    const params = { ...entry.strategy.paramsSchema.parse({}), ...currentExecution.executionParamsSchema.parse({}), ...overrides };
    return named(`runBacktest plugin ${id} 1M${variant}`, '', {
      bars: MILLION,
      batch: 1,
      run: () => currentBacktest.runStrategyBacktest(hourlyMillion, entry.strategy, params, { periodsPerYear: 8760 }).trades.count,
      detail: (trades) => `${trades} trades`,
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { baseline: { type: 'string' } } });
  const casesOf = (engine: Engine, suffix: string) => [
    ...engineCases(engine, suffix),
    ...exitRuleCases(engine, suffix),
    ...indicatorCases(engine, suffix),
  ];
  const staticEngine: Engine = {
    runBacktest: currentBacktest.runBacktest,
    strategies: currentStrategies.builtinStrategies,
    executionParamsSchema: currentExecution.executionParamsSchema,
    indicators: currentIndicators,
  };
  const baseline = values.baseline ? await engineAt(values.baseline) : undefined;
  const workingTree = baseline ? await engineAt(null) : undefined;
  const current = casesOf(workingTree?.engine ?? staticEngine, '');
  const before = baseline ? casesOf(baseline.engine, ` @ ${values.baseline}`) : [];
  // each case followed by its baseline, so that within a round the two run moments apart
  const baselineOf = (benchCase: EngineCase) => before.find((baselineCase) => baselineCase.name === benchCase.name);
  const cases = current.flatMap((benchCase) => [benchCase, baselineOf(benchCase)].filter((paired) => paired !== undefined));
  const timings = await measureRoundRobin(cases, 3000, 15);
  const timingsOf = (benchCase: EngineCase) => timings[cases.indexOf(benchCase)];
  baseline?.dispose();
  workingTree?.dispose();
  for (const benchCase of current) {
    printFigure(benchCase, timingsOf(benchCase));
    if (!baseline) continue;
    const baselineCase = baselineOf(benchCase);
    if (baselineCase === undefined) {
      console.log(`  # at ${values.baseline}: no such case (the engine there lacks what it measures)`);
      continue;
    }
    const baselineTimings = timingsOf(baselineCase);
    // the change is the median of the rounds' own ratios: the pair runs back to back in each round, so a slow spell of
    // the machine (which can move the two medians apart) cancels out
    const ratios = baselineTimings.wallMs.map((ms, round) => ms / timingsOf(benchCase).wallMs[round]);
    const speedup = (median(ratios) - 1) * 100;
    console.log(
      `  # at ${values.baseline}: ${figure(baselineCase, median(baselineTimings.wallMs))} (${baselineCase.detail(baselineTimings.result!)}); ` +
        `speed now ${speedup >= 0 ? '+' : ''}${speedup.toFixed(1)}% (median of the rounds' ratios)`,
    );
  }
  // Rounds of their own, after the others: in the same rounds, the plugins' allocations (their indicator arrays) left
  // garbage that the collector cleared during the next cases' timings, and cost the short full backtests up to a third.
  const plugins = await pluginCases();
  const pluginTimings = await measureRoundRobin(plugins, 2000, 11);
  plugins.forEach((benchCase, index) => printFigure(benchCase, pluginTimings[index]));
}

/** One comparable line per case (`<case>: <number> candles/s` or `<case>: <number> ms`), details indented below. */
function printFigure(benchCase: EngineCase, timings: CaseTimings): void {
  console.log(`${benchCase.label}: ${figure(benchCase, median(timings.wallMs))}`);
  console.log(
    `  # ${benchCase.detail(timings.result!)}, median of ${timings.wallMs.length}; by CPU time ${figure(benchCase, median(timings.cpuMs))}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
