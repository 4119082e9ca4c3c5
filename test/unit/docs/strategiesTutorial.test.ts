/**
 * docs/strategies.md cannot rot: its code listings are files of the repository, shown verbatim; the plugin it writes
 * loads from strategies/, its backtest request is valid and runs on sample data, and its sweep request's grid is
 * valid for the plugin, combination by combination. (The listed test runs on its own in the unit suite.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backtestRequestSchema, paramsSchemaFor, type BacktestRequest } from '../../../src/contracts/backtestRequest';
import { generateSampleCandles } from '../../../src/data/sampleData';
import { runBacktest } from '../../../src/engine/backtest';
import { getStrategy, strategyRegistry, useStrategyRegistry } from '../../../src/engine/strategies';
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

/** A sweep grid entry: a list of values, or an inclusive range on a step (DESIGN.md section 12). */
type GridValues = number[] | { from: number; to: number; step: number };

function expandGrid(values: GridValues): number[] {
  if (Array.isArray(values)) return values;
  const count = Math.floor((values.to - values.from) / values.step + 1e-9) + 1;
  return Array.from({ length: count }, (_, k) => values.from + k * values.step);
}

/** Every combination of the grid, parameters in name order, the last varying fastest (the canonical order). */
function combinations(grid: Record<string, GridValues>): Record<string, number>[] {
  return Object.keys(grid)
    .sort()
    .reduce<Record<string, number>[]>(
      (combos, name) => combos.flatMap((combo) => expandGrid(grid[name]).map((value) => ({ ...combo, [name]: value }))),
      [{}],
    );
}

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

  it('sweeps a grid whose every combination is valid for the plugin', () => {
    const { grid, params, ...rest } = JSON.parse(read('docs/listings/sma-crossover-sweep.json'));
    const base = backtestRequestSchema.parse({ strategy: rest.strategy, symbols: rest.symbols, start_date: rest.start_date, end_date: rest.end_date, timeframe: rest.timeframe, params });
    const schema = paramsSchemaFor(getStrategy(base.strategy));
    // a parameter is in params or in grid, never both
    expect(Object.keys(grid).filter((name) => name in params)).toEqual([]);
    const combos = combinations(grid);
    expect(combos).toHaveLength(12);
    expect(combos[1]).toEqual({ fast_window: 6, slow_window: 96 });
    for (const combo of combos) expect(schema.safeParse({ ...params, ...combo }).success).toBe(true);
  });
});
