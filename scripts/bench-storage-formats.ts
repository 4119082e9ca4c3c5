/**
 * Result size and speed: the predecessor's result.json against the three Parquet tables (Snappy and
 * zstd), for the same results of 1,000, 10,000 and 100,000 trades with their equity curves.
 *   node --expose-gc --max-old-space-size=4096 --import tsx scripts/bench-storage-formats.ts [--rounds N]
 *
 * The results are real engine output: 10 symbols of deterministic sample hourly candles (prices on
 * their exchange tick, e.g. whole KRW for BTC), an entry signal every 10th bar held 5 bars, executed by
 * the simulator (fees 0.05% per side, quantities and equity as full doubles). So a result of N trades
 * has 10 curve rows per trade (N / 10 trades and N bars per symbol): the 100,000-trade case is the
 * 100k trades + 1M curve rows of DESIGN.md section 10.
 *
 * Both formats start from the built Arrow tables. JSON write = buildLegacyResult + JSON.stringify
 * (compact) + file write; JSON read = file read + JSON.parse. Parquet write = encode the three tables +
 * file writes; Parquet read = file reads + decode of every column. Each figure is the median of the
 * rounds after an untimed warm-up round.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SAMPLE_SYMBOLS, generateSampleCandles } from '../src/data/sampleData';
import { summarize } from '../src/engine/metrics';
import { simulate } from '../src/engine/simulator';
import { periodsPerYear } from '../src/engine/timeframes';
import type { ExecutionParams } from '../src/engine/types';
import { buildLegacyResult } from '../src/storage/legacy/legacyResult';
import { parquetToTable, tableToParquet, type ParquetCompression } from '../src/shared/parquet';
import {
  buildPerformanceCurveTable,
  buildSymbolSignalsTable,
  buildSymbolSummaryTable,
  type ResultTables,
} from '../src/storage/resultTables';
import { median } from './lib/bench';

const TRADE_COUNTS = [1_000, 10_000, 100_000];
const SYMBOLS = [...DEFAULT_SAMPLE_SYMBOLS, 'ADA_KRW', 'DOT_KRW', 'LINK_KRW', 'AVAX_KRW', 'TRX_KRW'];
const BARS_PER_TRADE = 10;
const HOLD_BARS = 5;
const HOUR_MS = 3_600_000;
const EXECUTION: ExecutionParams = { initial_capital: 10_000_000, position_size: 1, fee_rate: 0.0005, slippage_bps: 0 };
const TABLES = ['symbol_summary', 'symbol_signals', 'performance_curve'] as const;

/** One task's result tables with `trades` trades over SYMBOLS, from the engine. */
function engineResult(trades: number): ResultTables {
  const bars = (trades / SYMBOLS.length) * BARS_PER_TRADE;
  const start = Date.UTC(2010, 0, 1);
  const endDate = new Date(start + bars * HOUR_MS).toISOString().slice(0, 10);
  const parts = SYMBOLS.map((symbol) => {
    const candles = { ...generateSampleCandles({ symbol, timeframe: '1h', startDate: '2010-01-01', endDate, seed: 1 }), length: bars };
    const signals = Uint8Array.from({ length: bars }, (_, bar) => (bar % BARS_PER_TRADE === 0 ? 1 : 0));
    const { trades: symbolTrades, curve } = simulate(candles, signals, HOLD_BARS, EXECUTION);
    const summary = summarize(candles, symbolTrades, curve, EXECUTION.initial_capital, periodsPerYear('1h'));
    return { symbol, timestamps: candles.timestamp.subarray(0, bars), trades: symbolTrades, curve, summary };
  });
  return {
    symbol_summary: buildSymbolSummaryTable(parts),
    symbol_signals: buildSymbolSignalsTable(parts),
    performance_curve: buildPerformanceCurveTable(parts),
  };
}

/** What result.json says besides the tables (dates are not checked here). */
const RESULT_HEADER = {
  run_id: 'benchmark',
  strategy: 'volume_zone_breakout',
  params: { ...EXECUTION, hold_period_bars: HOLD_BARS },
  start_date: '2010-01-01',
  end_date: '2010-01-01',
  timeframe: '1h',
};

interface Measurement {
  bytes: number;
  writeMs: number;
  readMs: number;
}

/** Collects garbage first when node runs with --expose-gc, so one case's garbage is not timed in the next. */
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function timed(work: () => void): number {
  collectGarbage();
  const started = performance.now();
  work();
  return performance.now() - started;
}

function measure(rounds: number, write: () => number, read: () => void): Measurement {
  const writes: number[] = [];
  const reads: number[] = [];
  let bytes = write(); // warm-up round, not timed: the first call compiles code paths (wasm included)
  read();
  for (let round = 0; round < rounds; round++) {
    writes.push(timed(() => (bytes = write())));
    reads.push(timed(read));
  }
  return { bytes, writeMs: median(writes), readMs: median(reads) };
}

function measureJson(directory: string, tables: ResultTables, rounds: number): Measurement {
  const path = join(directory, 'result.json');
  return measure(
    rounds,
    () => {
      const text = JSON.stringify(buildLegacyResult(RESULT_HEADER, tables));
      writeFileSync(path, text);
      return Buffer.byteLength(text);
    },
    () => JSON.parse(readFileSync(path, 'utf8')),
  );
}

function prettyJsonBytes(tables: ResultTables): number {
  return Buffer.byteLength(JSON.stringify(buildLegacyResult(RESULT_HEADER, tables), null, 2));
}

function measureParquet(directory: string, tables: ResultTables, compression: ParquetCompression, rounds: number): Measurement {
  const path = (name: string) => join(directory, `${name}.${compression}.parquet`);
  return measure(
    rounds,
    () =>
      TABLES.reduce((bytes, name) => {
        const encoded = tableToParquet(tables[name], compression);
        writeFileSync(path(name), encoded);
        return bytes + encoded.length;
      }, 0),
    () => TABLES.forEach((name) => parquetToTable(readFileSync(path(name)))),
  );
}

function main(): void {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
  const rounds = Number(values.rounds);
  const directory = mkdtempSync(join(tmpdir(), 'bench-storage-formats-'));
  const table: string[] = [
    '| trades | curve rows | format | bytes | % of JSON | write ms | read ms |',
    '| ---: | ---: | --- | ---: | ---: | ---: | ---: |',
  ];
  const fmt = (ms: number) => ms.toFixed(ms < 10 ? 1 : 0);
  try {
    for (const trades of TRADE_COUNTS) {
      const tables = engineResult(trades);
      const curveRows = tables.performance_curve.numRows;
      const json = measureJson(directory, tables, rounds);
      const pretty = prettyJsonBytes(tables);
      console.log(
        `${trades} trades (${curveRows} curve rows) json: ${json.bytes} bytes, write ${fmt(json.writeMs)} ms, read ${fmt(json.readMs)} ms`,
      );
      console.log(`${trades} trades json-pretty: ${pretty} bytes (${((pretty / json.bytes) * 100).toFixed(0)}% of compact)`);
      table.push(`| ${trades} | ${curveRows} | JSON (compact) | ${json.bytes} | 100 | ${fmt(json.writeMs)} | ${fmt(json.readMs)} |`);
      table.push(`| ${trades} | ${curveRows} | JSON (pretty, indent 2) | ${pretty} | ${((pretty / json.bytes) * 100).toFixed(0)} | | |`);
      for (const compression of ['snappy', 'zstd'] as const) {
        const parquet = measureParquet(directory, tables, compression, rounds);
        const percent = ((parquet.bytes / json.bytes) * 100).toFixed(1);
        console.log(
          `${trades} trades parquet-${compression}: ${parquet.bytes} bytes (${percent}% of json), write ${fmt(parquet.writeMs)} ms, read ${fmt(parquet.readMs)} ms`,
        );
        table.push(
          `| ${trades} | ${curveRows} | Parquet ${compression} | ${parquet.bytes} | ${percent} | ${fmt(parquet.writeMs)} | ${fmt(parquet.readMs)} |`,
        );
      }
    }
    console.log(`\n${table.join('\n')}`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main();
