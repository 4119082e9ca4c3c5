/**
 * docs/strategies.md cannot rot: its code listings are files of the repository, shown verbatim; the plugin it writes
 * loads from strategies/, its backtest request is valid and runs on sample data, and its sweep request is valid and
 * its grid evaluated by the sweep engine. (The listed test runs on its own in the unit suite.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backtestRequestSchema, type BacktestRequest } from '../../../src/contracts/backtestRequest';
import { sweepRequestSchema } from '../../../src/contracts/sweepRequest';
import { generateSampleCandles } from '../../../src/data/sampleData';
import { runBacktest } from '../../../src/engine/backtest';
import { getStrategy, strategyRegistry, useStrategyRegistry } from '../../../src/engine/strategies';
import { allocateSweepRows, comboIdRange, comboParams, evaluateSweep, gridLayout, planSweep } from '../../../src/engine/sweep';
import { periodsPerYear } from '../../../src/engine/timeframes';
import { exitReasons } from '../../../src/engine/types';
import { loadStrategies, sourceVersion } from '../../../src/strategyPlugins';

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const tutorial = read('docs/strategies.md');

const LISTINGS = [
  { path: 'strategies/smaCrossover.ts', language: 'ts' },
  { path: 'test/unit/strategies/smaCrossover.test.ts', language: 'ts' },
  { path: 'docs/listings/sma-crossover-backtest.json', language: 'json' },
  { path: 'docs/listings/sma-crossover-sweep.json', language: 'json' },
];

describe('docs/strategies.md', () => {
  const builtins = strategyRegistry();
  beforeAll(() => loadStrategies({ directory: join(ROOT, 'strategies') }));
  afterAll(() => useStrategyRegistry(builtins));

  it.each(LISTINGS)('shows $path exactly as it is', ({ path, language }) => {
    expect(tutorial).toContain(`\`\`\`${language}\n${read(path)}\`\`\`\n`);
  });

  it('has no other code listing than those files (shell commands aside)', () => {
    const fences = [...tutorial.matchAll(/^```(\w*)$/gm)].map((match) => match[1]).filter((language) => language !== '');
    expect(fences.filter((language) => language !== 'sh')).toEqual(LISTINGS.map((listing) => listing.language));
  });

  it('writes a plugin that loads from strategies/, with the version the page shows', () => {
    const entry = strategyRegistry().get('sma_crossover');
    expect(entry).toMatchObject({ source: 'plugin', file: 'smaCrossover.ts' });
    expect(entry!.version).toBe(sourceVersion(read('strategies/smaCrossover.ts')));
    expect(tutorial).toContain(`sma_crossover (plugin smaCrossover.ts, version ${entry!.version})`);
  });

  it('submits a valid backtest request that trades on sample data, exiting on signals and the stop', () => {
    const request: BacktestRequest = backtestRequestSchema.parse(JSON.parse(read('docs/listings/sma-crossover-backtest.json')));
    expect(request.params).toMatchObject({ hold_period_bars: 0, direction: 'long', stop_loss_pct: 5 });
    for (const symbol of request.symbols) {
      const candles = generateSampleCandles({ symbol, timeframe: request.timeframe, startDate: request.start_date, endDate: request.end_date, seed: 1 });
      const { trades } = runBacktest(candles, request.strategy, request.params, { periodsPerYear: periodsPerYear(request.timeframe) });
      expect(trades.count).toBeGreaterThan(50);
      const reasons = new Set(Array.from(trades.exitReason.subarray(0, trades.count), (code) => exitReasons[code]));
      expect([...reasons].sort()).toEqual(expect.arrayContaining(['signal', 'stop_loss']));
      expect([...reasons].every((reason) => ['signal', 'stop_loss', 'end_of_data'].includes(reason))).toBe(true);
    }
  });

  it('sweeps a valid grid of the plugin, every row equal to a backtest of its combination', () => {
    const request = sweepRequestSchema.parse(JSON.parse(read('docs/listings/sma-crossover-sweep.json')));
    expect(request.grid).toEqual({ fast_window: [6, 12, 24], slow_window: [48, 96, 144, 192] });
    const strategy = getStrategy(request.strategy);
    const plan = planSweep({ strategy, fixedParams: request.params, grid: request.grid, periodsPerYear: periodsPerYear(request.timeframe) });
    const layout = gridLayout(request.grid);
    const candles = generateSampleCandles({ symbol: 'BTC_KRW', timeframe: request.timeframe, startDate: request.start_date, endDate: request.end_date, seed: 1 });
    const rows = allocateSweepRows(layout.size);
    expect(evaluateSweep(plan, candles, comboIdRange(0, layout.size), rows)).toBe(12);
    for (const comboId of [0, 7, 11]) {
      const params = { ...request.params, ...comboParams(layout, comboId) };
      const { summary } = runBacktest(candles, request.strategy, params, { periodsPerYear: periodsPerYear(request.timeframe) });
      expect([rows.metrics.total_signals[comboId], rows.metrics.total_pnl_pct[comboId]]).toEqual([summary.total_signals, summary.total_pnl_pct]);
    }
  });
});
