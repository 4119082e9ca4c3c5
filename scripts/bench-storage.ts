/**
 * Result write benchmark (DESIGN.md section 10: 100k trades + 1M curve rows written in < 1 s).
 * 100 symbols x 10,000 hourly bars, 1,000 trades each; builds the three tables and writes them
 * Snappy-compressed to a temporary directory, then reads pages back. Prints the median of a few rounds as
 * `<case>: <n> ms`; run with `npx tsx scripts/bench-storage.ts`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EquityCurve, SymbolSummary, Trades } from '../src/engine/types';
import { tableToParquet } from '../src/shared/parquet';
import {
  buildPerformanceCurveTable,
  buildSymbolSignalsTable,
  buildSymbolSummaryTable,
  readPerformanceCurve,
  readSymbolSignals,
} from '../src/storage/resultTables';
import { median } from './lib/bench';

const SYMBOLS = 100;
const BARS = 10_000;
const TRADES = 1_000;
const HOUR_MS = 3_600_000;

/** Deterministic noise in [0, 1). */
function noise(i: number, seed: number): number {
  const x = Math.sin(i * 12.9898 + seed * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

function syntheticSymbol(seed: number) {
  const timestamps = Float64Array.from({ length: BARS }, (_, i) => Date.UTC(2020, 0, 1) + i * HOUR_MS);
  // A random walk (deterministic noise), so values are as varied as a real curve's.
  let value = 100_000;
  const equity = Float64Array.from({ length: BARS }, (_, i) => (value *= 1 + 0.01 * (noise(i, seed) - 0.5)));
  const curve: EquityCurve = {
    length: BARS,
    equity,
    drawdown: equity.map((value) => (105_000 - value) / 1_050),
    cumulativePnl: equity.map((value) => value - 100_000),
    cumulativePnlPct: equity.map((value) => (value - 100_000) / 1_000),
  };
  const price = (k: number) => 100 + ((k * 7 + seed) % 50);
  const trades: Trades = {
    count: TRADES,
    entryIndex: Int32Array.from({ length: TRADES }, (_, k) => k * 10),
    exitIndex: Int32Array.from({ length: TRADES }, (_, k) => (k === TRADES - 1 ? -1 : k * 10 + 1)),
    entryPrice: Float64Array.from({ length: TRADES }, (_, k) => price(k)),
    exitPrice: Float64Array.from({ length: TRADES }, (_, k) => (k === TRADES - 1 ? NaN : price(k + 1))),
    quantity: Float64Array.from({ length: TRADES }, (_, k) => 1_000 / price(k)),
    returnPct: Float64Array.from({ length: TRADES }, (_, k) => (price(k + 1) / price(k) - 1) * 100),
    holdBars: new Int32Array(TRADES).fill(1),
    feeAmount: new Float64Array(TRADES).fill(1),
    slippageAmount: new Float64Array(TRADES),
  };
  return { symbol: `SYM${seed}_KRW`, timestamps, curve, trades };
}

const summary: SymbolSummary = {
  win_rate: 50,
  avg_return: 0.1,
  max_return: 5,
  min_return: -5,
  max_drawdown: 10,
  avg_hold_bars: 1,
  total_signals: TRADES,
  winning_signals: 500,
  losing_signals: 499,
  total_pnl: 100,
  total_pnl_pct: 0.1,
  sharpe: 1,
  sortino: null,
  profit_factor: 1.1,
  expectancy: 0.1,
  exposure_pct: 10,
  cagr: null,
  buy_and_hold_return_pct: 3,
};

const ROUNDS = 5;

async function main() {
  const symbols = Array.from({ length: SYMBOLS }, (_, seed) => syntheticSymbol(seed));
  const directory = mkdtempSync(join(tmpdir(), 'bench-storage-'));
  const file = (name: string) => join(directory, `${name}.parquet`);
  const middle = symbols[SYMBOLS / 2].symbol;
  const timings = new Map<string, number[]>();
  const time = async <T>(name: string, run: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await run();
    timings.set(name, [...(timings.get(name) ?? []), performance.now() - start]);
    return result;
  };
  const sizes: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await time('total build + write', async () => {
        const tables = {
          symbol_signals: await time(`build signals (${SYMBOLS * TRADES} rows)`, () => buildSymbolSignalsTable(symbols)),
          performance_curve: await time(`build curve (${SYMBOLS * BARS} rows)`, () => buildPerformanceCurveTable(symbols)),
          symbol_summary: await time(`build summary (${SYMBOLS} rows)`, () =>
            buildSymbolSummaryTable(symbols.map(({ symbol }) => ({ symbol, summary }))),
          ),
        };
        sizes.length = 0;
        for (const [name, table] of Object.entries(tables)) {
          const bytes = await time(`write ${name} snappy`, () => tableToParquet(table, 'snappy'));
          writeFileSync(file(name), bytes);
          sizes.push(`${name} size: ${(bytes.length / 1e6).toFixed(2)} MB`);
        }
      });
      await time('read signals page (1 symbol, 100 rows)', () =>
        readSymbolSignals(readFileSync(file('symbol_signals')), { symbol: middle, offset: 100, limit: 100 }),
      );
      await time('read curve (1 symbol, 500 points)', () =>
        readPerformanceCurve(readFileSync(file('performance_curve')), { symbol: middle, maxPoints: 500 }),
      );
      await time(`read curve (${SYMBOLS} symbols, 500 points each)`, () =>
        readPerformanceCurve(readFileSync(file('performance_curve')), { maxPoints: 500 }),
      );
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  console.log(`median of ${ROUNDS} rounds`);
  for (const [name, samples] of timings) console.log(`${name}: ${Math.round(median(samples))} ms`);
  for (const line of sizes) console.log(line);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
