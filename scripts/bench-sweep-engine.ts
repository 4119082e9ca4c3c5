/**
 * Sweep engine benchmark (`npx tsx scripts/bench-sweep-engine.ts`): evaluations per second of a 10,000-combination
 * sweep of each built-in strategy on 8,760 hourly synthetic candles, on one thread, beside the single-run
 * `runBacktest` throughput on the same series (runs per second), measured in the same rounds (DESIGN.md section 10:
 * figures are compared within one run on this shared, noisy machine).
 *
 * Cases per strategy:
 * - the whole grid in one `evaluateSweep` call;
 * - the grid in chunks of 1,000 consecutive combo ids, one call each, as sweep activities run it (a chunk shares
 *   less: in canonical order it holds few values of the slowest-varying parameters);
 * - `runBacktest` of 200 combinations of the same grid, one after another.
 * Then the resistance scan of volume_zone_breakout against `signalsInto`, the measurement behind
 * RESISTANCE_SCAN_BREAK_EVEN. `--quick` runs fewer rounds.
 */
import { parseArgs } from 'node:util';
import { runBacktest } from '../src/engine/backtest';
import { executionParamsSchema } from '../src/engine/execution';
import { builtinStrategies, type BuiltinStrategyId } from '../src/engine/strategies';
import {
  RESISTANCE_SCAN_BREAK_EVEN,
  reachableResistancesInto,
  volumeZoneBreakout,
  type VolumeZoneBreakoutParams,
} from '../src/engine/strategies/volumeZoneBreakout';
import { allocateSweepRows, comboIdRange, comboParams, evaluateSweep, planSweep, sampleComboIds, type Grid } from '../src/engine/sweep';
import { measureRoundRobin, median, type BenchCase } from './lib/bench';
import { syntheticCandles } from './lib/syntheticCandles';

const HOURS_PER_YEAR = 8760;
const candles = syntheticCandles(HOURS_PER_YEAR, 42, 3_600_000);

/** Typical grids of 10,000 combinations: 200 signal parameter sets, each with 50 execution variants. */
const grids: Record<BuiltinStrategyId, Grid> = {
  volume_zone_breakout: {
    volume_window: [20, 40, 60, 80, 100],
    top_percentile: [0.1, 0.15, 0.2, 0.25, 0.3],
    breakout_buffer: [0, 0.0025, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175],
    hold_period_bars: [1, 2, 4, 8, 16],
    fee_rate: [0, 0.0005, 0.001, 0.0015, 0.002],
    slippage_bps: [0, 5],
  },
  volume_long_candle: {
    vol_ma_window: [10, 20, 30, 40, 50],
    vol_multiplier: [1.2, 1.4, 1.6, 1.8, 2],
    body_pct: [0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03],
    hold_period_bars: [1, 2, 4, 8, 16],
    fee_rate: [0, 0.0005, 0.001, 0.0015, 0.002],
    slippage_bps: [0, 5],
  },
};

const CHUNK = 1000;
const BACKTEST_RUNS = 200;

interface SweepBenchCase extends BenchCase {
  /** Evaluations (or runs) per call of `run`. */
  evaluations: number;
  unit: string;
}

function strategyCases(strategyId: BuiltinStrategyId): SweepBenchCase[] {
  const strategy = builtinStrategies[strategyId];
  const fixedParams = { ...strategy.paramsSchema.parse({}), ...executionParamsSchema.parse({}) };
  const plan = planSweep({ strategy, fixedParams, grid: grids[strategyId], periodsPerYear: HOURS_PER_YEAR });
  const size = plan.layout.size;
  const comboIds = comboIdRange(0, size);
  const rows = allocateSweepRows(size);
  const sampled = Array.from(sampleComboIds(size, BACKTEST_RUNS, 1), (comboId) => ({
    ...fixedParams,
    ...comboParams(plan.layout, comboId),
  }));
  return [
    {
      label: `${strategyId} sweep ${size} in one call`,
      batch: 1,
      evaluations: size,
      unit: 'evaluations/s',
      run: () => evaluateSweep(plan, candles, comboIds, rows),
    },
    {
      label: `${strategyId} sweep ${size} in chunks of ${CHUNK}`,
      batch: 1,
      evaluations: size,
      unit: 'evaluations/s',
      run: () => {
        let done = 0;
        // one call per chunk, each with its own rows, as an activity would
        for (let first = 0; first < size; first += CHUNK) {
          const chunk = comboIds.subarray(first, Math.min(first + CHUNK, size));
          done += evaluateSweep(plan, candles, chunk, rows);
        }
        return done;
      },
    },
    {
      label: `${strategyId} runBacktest x ${BACKTEST_RUNS}`,
      batch: 1,
      evaluations: BACKTEST_RUNS,
      unit: 'runs/s',
      run: () => {
        let trades = 0;
        for (const params of sampled) trades += runBacktest(candles, strategyId, params, { periodsPerYear: HOURS_PER_YEAR }).trades.count;
        return trades;
      },
    },
  ];
}

/** The resistance scan against one signal pass, for a few window shapes: its cost in signal passes. */
function breakEvenCases(): SweepBenchCase[] {
  const shapes: Partial<VolumeZoneBreakoutParams>[] = [
    { volume_window: 20, num_bins: 20 },
    { volume_window: 60, num_bins: 20 },
    { volume_window: 100, num_bins: 20, top_percentile: 0.1 },
    { volume_window: 60, num_bins: 10, top_percentile: 0.3 },
    { volume_window: 60, num_bins: 50 },
  ];
  const signals = new Uint8Array(candles.length);
  const resistances = new Float64Array(candles.length);
  return shapes.flatMap((shape) => {
    const params = volumeZoneBreakout.paramsSchema.parse(shape);
    const name = `volume_window ${params.volume_window} num_bins ${params.num_bins} top_percentile ${params.top_percentile}`;
    return [
      {
        label: `signalsInto ${name}`,
        batch: 20,
        evaluations: 1,
        unit: 'passes/s',
        run: () => volumeZoneBreakout.signalsInto(candles, params, signals),
      },
      {
        label: `resistance scan ${name}`,
        batch: 20,
        evaluations: 1,
        unit: 'passes/s',
        run: () => (reachableResistancesInto(candles, params, resistances), 0),
      },
    ];
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  const sweepCases = [...strategyCases('volume_zone_breakout'), ...strategyCases('volume_long_candle')];
  const scanCases = breakEvenCases();
  const cases = [...sweepCases, ...scanCases];
  const timings = await measureRoundRobin(cases, values.quick ? 1000 : 3000, values.quick ? 3 : 7);
  const wallMs = (index: number) => median(timings[index].wallMs);
  const cpuMs = (index: number) => median(timings[index].cpuMs);
  console.log(`${candles.length} hourly synthetic candles, one thread, medians of ${timings[0].wallMs.length} rounds`);
  sweepCases.forEach((benchCase, index) => {
    // One comparable line per case (`<case>: <number> <unit>`), details indented below.
    const perSecond = (ms: number) => Math.round((benchCase.evaluations * 1000) / ms);
    console.log(`${benchCase.label}: ${perSecond(wallMs(index))} ${benchCase.unit}`);
    console.log(`  # ${wallMs(index).toFixed(0)} ms per call; by CPU time ${perSecond(cpuMs(index))} ${benchCase.unit}`);
  });
  for (let index = 0; index < sweepCases.length; index += 3) {
    const backtestRate = sweepCases[index + 2].evaluations / wallMs(index + 2);
    const strategyId = sweepCases[index].label.split(' ')[0];
    const speedup = (caseIndex: number) => (sweepCases[caseIndex].evaluations / wallMs(caseIndex) / backtestRate).toFixed(1);
    console.log(`${strategyId}: sweep ${speedup(index)}x runBacktest in one call, ${speedup(index + 1)}x in chunks of ${CHUNK}`);
  }
  for (let index = 0; index < scanCases.length; index += 2) {
    const ratio = wallMs(sweepCases.length + index + 1) / wallMs(sweepCases.length + index);
    console.log(`${scanCases[index + 1].label}: ${ratio.toFixed(2)} signal passes`);
  }
  console.log(
    `  # RESISTANCE_SCAN_BREAK_EVEN = ${RESISTANCE_SCAN_BREAK_EVEN}: the scan is used from that many breakout buffers per group on`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
