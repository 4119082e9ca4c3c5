import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import fc from 'fast-check';
import type { EquityCurve, SymbolSummary, Trades } from '../../../src/engine/types';
import { parquetToTable, tableToParquet } from '../../../src/shared/parquet';
import {
  buildPerformanceCurveTable,
  buildSymbolSignalsTable,
  buildSymbolSummaryTable,
  downsampledRowIndices,
  readPerformanceCurve,
  readSymbolSignals,
  readSymbolSummary,
  type TradeSort,
} from '../../../src/storage/resultTables';

const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const hourly = (bars: number) => Float64Array.from({ length: bars }, (_, i) => T0 + i * HOUR_MS);

/** Writes the table to Parquet and reads it back, as every stored file is. */
const roundTrip = (table: Table) => parquetToTable(tableToParquet(table, 'snappy'));

/** `name:type:nullable` of every field, in order. */
const describeSchema = (table: Table) => table.schema.fields.map((field) => `${field.name}:${field.type}:${field.nullable}`);

const column = (table: Table, name: string) => [...table.getChild(name)!];

function trades(rows: { entry: number; exit: number; entryPrice: number; exitPrice: number; returnPct: number }[]): Trades {
  const float = (pick: (row: (typeof rows)[number], k: number) => number) => Float64Array.from(rows, pick);
  return {
    count: rows.length,
    entryIndex: Int32Array.from(rows, (row) => row.entry),
    exitIndex: Int32Array.from(rows, (row) => row.exit),
    entryPrice: float((row) => row.entryPrice),
    exitPrice: float((row) => row.exitPrice),
    quantity: float((_, k) => 10 + k),
    returnPct: float((row) => row.returnPct),
    // The engine's value for an open trade is deliberately wrong: the builder must derive it.
    holdBars: Int32Array.from(rows, (row) => (row.exit === -1 ? 999 : row.exit - row.entry)),
    feeAmount: float((_, k) => 0.5 + k),
    slippageAmount: float((_, k) => 0.25 * k),
  };
}

function curve(equity: number[]): EquityCurve {
  const values = Float64Array.from(equity);
  let peak = -Infinity;
  return {
    length: values.length,
    equity: values,
    drawdown: values.map((value) => (((peak = Math.max(peak, value)) - value) / peak) * 100),
    cumulativePnl: values.map((value) => value - 100),
    cumulativePnlPct: values.map((value) => value - 100),
  };
}

const summary = (overrides: Partial<SymbolSummary> = {}): SymbolSummary => ({
  win_rate: 50,
  avg_return: 1.5,
  max_return: 4,
  min_return: -1,
  max_drawdown: 3.25,
  avg_hold_bars: 2,
  total_signals: 3,
  winning_signals: 1,
  losing_signals: 1,
  total_pnl: 120.5,
  total_pnl_pct: 1.205,
  sharpe: 1.1,
  sortino: 1.7,
  profit_factor: 2,
  expectancy: 0.75,
  exposure_pct: 40,
  cagr: 12,
  buy_and_hold_return_pct: 8,
  ...overrides,
});

const noMetrics = {
  sharpe: null,
  sortino: null,
  profit_factor: null,
  expectancy: null,
  exposure_pct: null,
  cagr: null,
  buy_and_hold_return_pct: null,
};

const btcTrades = trades([
  { entry: 1, exit: 3, entryPrice: 100, exitPrice: 110, returnPct: 9.9 },
  { entry: 4, exit: -1, entryPrice: 105, exitPrice: NaN, returnPct: -2 },
]);
const ethTrades = trades([{ entry: 0, exit: 1, entryPrice: 20, exitPrice: 19, returnPct: -5.1 }]);
const noTrades = trades([]);

/** For sorting: ties in return_pct (within and across symbols), null exit prices, equal entry times across symbols. */
const sortableSignals = buildSymbolSignalsTable([
  {
    symbol: 'BTC_KRW',
    timestamps: hourly(6),
    trades: trades([
      { entry: 0, exit: 1, entryPrice: 100, exitPrice: 103, returnPct: 3 },
      { entry: 1, exit: 2, entryPrice: 100, exitPrice: 99, returnPct: -1 },
      { entry: 2, exit: 3, entryPrice: 100, exitPrice: 103, returnPct: 3 },
      { entry: 3, exit: -1, entryPrice: 100, exitPrice: NaN, returnPct: 5 },
    ]),
  },
  {
    symbol: 'ETH_KRW',
    timestamps: hourly(3),
    trades: trades([
      { entry: 0, exit: 1, entryPrice: 20, exitPrice: 21, returnPct: 4 },
      { entry: 1, exit: -1, entryPrice: 20, exitPrice: NaN, returnPct: -1 },
    ]),
  },
]);

/** Each row as its symbol's initial and signal number: `B2` is BTC_KRW's second trade. */
const tradeKeys = (rows: { symbol: string; signal_index: number }[]) => rows.map((row) => `${row.symbol.slice(0, 1)}${row.signal_index}`);

describe('symbol_summary table', () => {
  const table = roundTrip(
    buildSymbolSummaryTable([
      { symbol: 'BTC_KRW', summary: summary() },
      { symbol: 'ETH_KRW', summary: summary({ total_signals: 0, winning_signals: 0, losing_signals: 0, ...noMetrics }) },
    ]),
  );

  it('has the twelve columns of the seed, then the extra metrics, all nullable', () => {
    expect(describeSchema(table)).toEqual([
      'symbol:Utf8:true',
      'win_rate:Float64:true',
      'avg_return:Float64:true',
      'max_return:Float64:true',
      'min_return:Float64:true',
      'max_drawdown:Float64:true',
      'avg_hold_bars:Float64:true',
      'total_signals:Int32:true',
      'winning_signals:Int32:true',
      'losing_signals:Int32:true',
      'total_pnl:Float64:true',
      'total_pnl_pct:Float64:true',
      'sharpe:Float64:true',
      'sortino:Float64:true',
      'profit_factor:Float64:true',
      'expectancy:Float64:true',
      'exposure_pct:Float64:true',
      'cagr:Float64:true',
      'buy_and_hold_return_pct:Float64:true',
    ]);
  });

  it('holds one row per symbol with the values given, undefined metrics as null', () => {
    expect(table.numRows).toBe(2);
    expect(table.get(0)!.toJSON()).toEqual({ symbol: 'BTC_KRW', ...summary() });
    expect(table.get(1)!.toJSON()).toEqual({
      symbol: 'ETH_KRW',
      ...summary({ total_signals: 0, winning_signals: 0, losing_signals: 0, ...noMetrics }),
    });
  });
});

describe('symbol_signals table', () => {
  const table = roundTrip(
    buildSymbolSignalsTable([
      { symbol: 'BTC_KRW', timestamps: hourly(6), trades: btcTrades },
      { symbol: 'ETH_KRW', timestamps: hourly(2), trades: ethTrades },
    ]),
  );

  it('has the twelve columns of the seed with their Arrow types, then the exit reason and time', () => {
    expect(describeSchema(table)).toEqual([
      'symbol:Utf8:true',
      'signal_index:Int32:true',
      'timestamp:Timestamp<MICROSECOND>:true',
      'type:Utf8:true',
      'entry_price:Float64:true',
      'exit_price:Float64:true',
      'quantity:Float64:true',
      'return_pct:Float64:true',
      'hold_bars:Int32:true',
      'fee_amount:Float64:true',
      'slippage_amount:Float64:true',
      'status:Utf8:true',
      'exit_reason:Utf8:true',
      'exit_timestamp:Timestamp<MICROSECOND>:true',
    ]);
    expect(table.schema.fields[2].type).toMatchObject({ timezone: null });
    expect(table.schema.fields[13].type).toMatchObject({ timezone: null });
  });

  it('holds one row per trade, numbered from 1 within each symbol', () => {
    expect(table.numRows).toBe(3);
    expect(column(table, 'symbol')).toEqual(['BTC_KRW', 'BTC_KRW', 'ETH_KRW']);
    expect(column(table, 'signal_index')).toEqual([1, 2, 1]);
    expect(column(table, 'type')).toEqual(['buy', 'buy', 'buy']);
    expect(column(table, 'entry_price')).toEqual([100, 105, 20]);
    expect(column(table, 'quantity')).toEqual([10, 11, 10]);
    expect(column(table, 'return_pct')).toEqual([9.9, -2, -5.1]);
    expect(column(table, 'fee_amount')).toEqual([0.5, 1.5, 0.5]);
    expect(column(table, 'slippage_amount')).toEqual([0, 0.25, 0]);
  });

  it('stamps each trade with its entry bar time in microseconds', () => {
    const micros = (bar: number) => BigInt(T0 + bar * HOUR_MS) * 1000n;
    expect([...(table.getChild('timestamp')!.toArray() as BigInt64Array)]).toEqual([micros(1), micros(4), micros(0)]);
  });

  it('stamps each closed trade with its exit bar time, an open one with null', () => {
    expect(column(table, 'exit_timestamp')).toEqual([T0 + 3 * HOUR_MS, null, T0 + HOUR_MS]);
    expect(table.getChild('exit_timestamp')!.nullCount).toBe(1);
  });

  it('marks an open trade with a null exit price and its bars held up to the last bar', () => {
    expect(column(table, 'status')).toEqual(['closed', 'open', 'closed']);
    expect(column(table, 'exit_price')).toEqual([110, null, 19]);
    expect(table.getChild('exit_price')!.nullCount).toBe(1);
    expect(column(table, 'hold_bars')).toEqual([2, 5 - 4, 1]);
  });

  it('is empty but complete when there are no trades, including symbols without bars', () => {
    for (const parts of [
      [],
      [
        { symbol: 'BTC_KRW', timestamps: hourly(3), trades: noTrades },
        { symbol: 'NEW_KRW', timestamps: hourly(0), trades: noTrades },
      ],
    ]) {
      const empty = roundTrip(buildSymbolSignalsTable(parts));
      expect(empty.numRows).toBe(0);
      expect(describeSchema(empty)).toEqual(describeSchema(table));
    }
  });
});

describe('performance_curve table', () => {
  const table = roundTrip(
    buildPerformanceCurveTable([
      { symbol: 'BTC_KRW', timestamps: hourly(3), curve: curve([100, 110, 99]) },
      { symbol: 'NEW_KRW', timestamps: hourly(0), curve: curve([]) },
      { symbol: 'ÉTH_KRW', timestamps: hourly(2), curve: curve([100, 100]) },
    ]),
  );

  it('has the seven columns of the seed with their Arrow types', () => {
    expect(describeSchema(table)).toEqual([
      'symbol:Utf8:true',
      'idx:Int32:true',
      'timestamp:Timestamp<MICROSECOND>:true',
      'equity:Float64:true',
      'drawdown:Float64:true',
      'cumulative_pnl:Float64:true',
      'cumulative_pnl_pct:Float64:true',
    ]);
  });

  it('holds one row per symbol and bar, numbered from 0; a symbol without bars has none', () => {
    expect(column(table, 'symbol')).toEqual(['BTC_KRW', 'BTC_KRW', 'BTC_KRW', 'ÉTH_KRW', 'ÉTH_KRW']);
    expect(column(table, 'idx')).toEqual([0, 1, 2, 0, 1]);
    expect(column(table, 'timestamp')).toEqual([T0, T0 + HOUR_MS, T0 + 2 * HOUR_MS, T0, T0 + HOUR_MS]);
    expect(column(table, 'equity')).toEqual([100, 110, 99, 100, 100]);
    expect(column(table, 'drawdown')).toEqual([0, 0, 10, 0, 0]);
    expect(column(table, 'cumulative_pnl')).toEqual([0, 10, -1, 0, 0]);
    expect(column(table, 'cumulative_pnl_pct')).toEqual([0, 10, -1, 0, 0]);
  });

  it('is empty but complete without symbols', () => {
    const empty = roundTrip(buildPerformanceCurveTable([]));
    expect(empty.numRows).toBe(0);
    expect(describeSchema(empty)).toEqual(describeSchema(table));
  });
});

describe('builder input checks', () => {
  it('rejects a symbol given twice', () => {
    const part = { symbol: 'BTC_KRW', timestamps: hourly(2), trades: noTrades };
    expect(() => buildSymbolSignalsTable([part, part])).toThrow('symbol BTC_KRW given twice');
  });

  it('rejects a curve whose length differs from the bars', () => {
    expect(() => buildPerformanceCurveTable([{ symbol: 'BTC_KRW', timestamps: hourly(3), curve: curve([100]) }])).toThrow(
      'curve of BTC_KRW: got 1 points, expected 3',
    );
  });
});

describe('readers', () => {
  let directory: string;
  const path = (name: string) => join(directory, `${name}.parquet`);
  const file = (name: string) => readFileSync(path(name));
  const iso = (bar: number) => new Date(T0 + bar * HOUR_MS).toISOString();
  // 0..99 with a dip to 1 at bar 37 and a peak of 500 at bar 80.
  const longEquity = Array.from({ length: 100 }, (_, i) => (i === 37 ? 1 : i === 80 ? 500 : 100 + i));

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'result-tables-'));
    const write = (name: string, table: Table) => writeFileSync(path(name), tableToParquet(table));
    write('symbol_summary', buildSymbolSummaryTable([{ symbol: 'BTC_KRW', summary: summary({ ...noMetrics }) }]));
    write(
      'symbol_signals',
      buildSymbolSignalsTable([
        { symbol: 'BTC_KRW', timestamps: hourly(6), trades: btcTrades },
        { symbol: 'ETH_KRW', timestamps: hourly(2), trades: ethTrades },
      ]),
    );
    write(
      'performance_curve',
      buildPerformanceCurveTable([
        { symbol: 'BTC_KRW', timestamps: hourly(3), curve: curve([100, 110, 99]) },
        { symbol: 'LONG_KRW', timestamps: hourly(100), curve: curve(longEquity) },
      ]),
    );
    write('empty_signals', buildSymbolSignalsTable([]));
    write('sortable_signals', sortableSignals);
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads the summary rows with nulls kept', async () => {
    expect(await readSymbolSummary(file('symbol_summary'))).toEqual([{ symbol: 'BTC_KRW', ...summary({ ...noMetrics }) }]);
  });

  it('reads trades as JSON-ready rows with ISO timestamps and a null open exit price', async () => {
    const { rows, total } = await readSymbolSignals(file('symbol_signals'));
    expect(total).toBe(3);
    expect(rows[1]).toEqual({
      symbol: 'BTC_KRW',
      signal_index: 2,
      timestamp: iso(4),
      type: 'buy',
      entry_price: 105,
      exit_price: null,
      quantity: 11,
      return_pct: -2,
      hold_bars: 1,
      fee_amount: 1.5,
      slippage_amount: 0.25,
      status: 'open',
      exit_reason: 'end_of_data',
      exit_timestamp: null,
    });
    expect(rows[0].exit_timestamp).toBe(iso(3));
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
  });

  it('reads a file written before exit_timestamp existed with null exit times, and sorts by them as nulls', async () => {
    const table = parquetToTable(file('symbol_signals'));
    const older = tableToParquet(table.select(table.schema.fields.map((field) => field.name).filter((name) => name !== 'exit_timestamp')));
    const { rows } = await readSymbolSignals(older);
    expect(rows.map((row) => [row.signal_index, row.exit_timestamp])).toEqual([
      [1, null],
      [2, null],
      [1, null],
    ]);
    const sorted = await readSymbolSignals(older, { sort: { column: 'exit_timestamp', descending: true } });
    expect(sorted.rows.map((row) => row.symbol)).toEqual(['BTC_KRW', 'BTC_KRW', 'ETH_KRW']);
  });

  it('pages through the trades of one symbol, counting all of them', async () => {
    const page = await readSymbolSignals(file('symbol_signals'), { symbol: 'BTC_KRW', offset: 1, limit: 5 });
    expect(page.total).toBe(2);
    expect(page.rows.map((row) => [row.symbol, row.signal_index])).toEqual([['BTC_KRW', 2]]);
    const eth = await readSymbolSignals(file('symbol_signals'), { symbol: 'ETH_KRW', limit: 1 });
    expect(eth.rows.map((row) => [row.symbol, row.signal_index, row.timestamp])).toEqual([['ETH_KRW', 1, iso(0)]]);
    expect(await readSymbolSignals(file('symbol_signals'), { offset: 3 })).toEqual({ rows: [], total: 3 });
  });

  it('finds nothing for an unknown symbol or an empty file', async () => {
    expect(await readSymbolSignals(file('symbol_signals'), { symbol: 'XRP_KRW' })).toEqual({ rows: [], total: 0 });
    expect(await readSymbolSignals(file('empty_signals'))).toEqual({ rows: [], total: 0 });
    expect(await readPerformanceCurve(file('performance_curve'), { symbol: 'XRP_KRW' })).toEqual([]);
  });

  it('rejects a negative page offset', async () => {
    await expect(readSymbolSignals(file('symbol_signals'), { offset: -1 })).rejects.toThrow('offset: got -1');
  });

  describe.each([
    ['a Parquet file', () => file('sortable_signals')],
    ['an in-memory table', () => sortableSignals],
  ])('sorted trade pages from %s', (_, input) => {
    const sorted = async (
      column: TradeSort['column'],
      descending: boolean,
      page: { symbol?: string; offset?: number; limit?: number } = {},
    ) => {
      const { rows, total } = await readSymbolSignals(input(), { ...page, sort: { column, descending } });
      return { keys: tradeKeys(rows), total };
    };

    it('orders all trades by a number either way, ties in file order', async () => {
      expect(await sorted('return_pct', false)).toEqual({ keys: ['B2', 'E2', 'B1', 'B3', 'E1', 'B4'], total: 6 });
      expect(await sorted('return_pct', true)).toEqual({ keys: ['B4', 'E1', 'B1', 'B3', 'B2', 'E2'], total: 6 });
      expect(await sorted('timestamp', true)).toEqual({ keys: ['B4', 'B3', 'B2', 'E2', 'B1', 'E1'], total: 6 });
    });

    it('puts nulls last whichever the direction', async () => {
      expect((await sorted('exit_price', false)).keys).toEqual(['E1', 'B2', 'B1', 'B3', 'B4', 'E2']);
      expect((await sorted('exit_price', true)).keys).toEqual(['B1', 'B3', 'B2', 'E1', 'B4', 'E2']);
    });

    it('orders text by value', async () => {
      expect((await sorted('symbol', true)).keys).toEqual(['E1', 'E2', 'B1', 'B2', 'B3', 'B4']);
      expect((await sorted('status', false)).keys).toEqual(['B1', 'B2', 'B3', 'E1', 'B4', 'E2']);
    });

    it("orders one symbol's trades only, counting all of them", async () => {
      expect(await sorted('return_pct', true, { symbol: 'BTC_KRW' })).toEqual({ keys: ['B4', 'B1', 'B3', 'B2'], total: 4 });
      expect(await sorted('return_pct', false, { symbol: 'ETH_KRW', offset: 1 })).toEqual({ keys: ['E1'], total: 2 });
      expect(await sorted('return_pct', false, { symbol: 'XRP_KRW' })).toEqual({ keys: [], total: 0 });
    });

    it('cuts pages from the global order, not sorted pages of file order', async () => {
      expect(await sorted('return_pct', true, { offset: 2, limit: 3 })).toEqual({ keys: ['B1', 'B3', 'B2'], total: 6 });
      const pages = await Promise.all([0, 2, 4].map((offset) => sorted('return_pct', true, { offset, limit: 2 })));
      expect(pages.flatMap((page) => page.keys)).toEqual((await sorted('return_pct', true)).keys);
      expect(await sorted('return_pct', true, { offset: 6 })).toEqual({ keys: [], total: 6 });
    });

    it('returns whole rows, the same as unsorted reads', async () => {
      const { rows } = await readSymbolSignals(input(), { sort: { column: 'return_pct', descending: true }, limit: 1 });
      expect(rows).toEqual((await readSymbolSignals(input(), { offset: 3, limit: 1 })).rows);
      expect(rows[0]).toMatchObject({ symbol: 'BTC_KRW', signal_index: 4, exit_price: null, status: 'open', timestamp: iso(3) });
    });
  });

  it('reads the whole curve of one symbol', async () => {
    expect(await readPerformanceCurve(file('performance_curve'), { symbol: 'BTC_KRW' })).toEqual([
      { symbol: 'BTC_KRW', idx: 0, timestamp: iso(0), equity: 100, drawdown: 0, cumulative_pnl: 0, cumulative_pnl_pct: 0 },
      { symbol: 'BTC_KRW', idx: 1, timestamp: iso(1), equity: 110, drawdown: 0, cumulative_pnl: 10, cumulative_pnl_pct: 10 },
      { symbol: 'BTC_KRW', idx: 2, timestamp: iso(2), equity: 99, drawdown: 10, cumulative_pnl: -1, cumulative_pnl_pct: -1 },
    ]);
  });

  it('downsamples each curve, keeping its first and last points and its extremes', async () => {
    const points = await readPerformanceCurve(file('performance_curve'), { maxPoints: 10 });
    const bySymbol = (symbol: string) => points.filter((point) => point.symbol === symbol).map((point) => point.idx);
    expect(bySymbol('BTC_KRW')).toEqual([0, 1, 2]);
    const long = bySymbol('LONG_KRW');
    expect(long.length).toBeLessThanOrEqual(10);
    expect(long).toEqual(expect.arrayContaining([0, 37, 80, 99]));
    expect(long).toEqual([...long].sort((a, b) => a - b));
    expect(points.find((point) => point.idx === 37 && point.symbol === 'LONG_KRW')).toMatchObject({ equity: 1, timestamp: iso(37) });
  });

  it('rejects fewer than two points', async () => {
    await expect(readPerformanceCurve(file('performance_curve'), { maxPoints: 1 })).rejects.toThrow('maxPoints: got 1');
  });
});

describe('downsampledRowIndices', () => {
  it('keeps every row when they fit', () => {
    expect(downsampledRowIndices(Float64Array.of(5, 4, 3), 0, 3, 3)).toEqual([0, 1, 2]);
    expect(downsampledRowIndices(Float64Array.of(9, 5, 4, 3), 1, 4, 5)).toEqual([1, 2, 3]);
  });

  it('picks the lowest and highest row of each bucket in time order', () => {
    // 8 interior rows in 2 buckets of 4: [1..4] and [5..8].
    const equity = Float64Array.of(0, 5, 9, 1, 5, 5, 7, 2, 5, 0);
    expect(downsampledRowIndices(equity, 0, 10, 6)).toEqual([0, 2, 3, 6, 7, 9]);
  });

  it('returns at most maxPoints ascending rows including the ends and the global extremes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 2, max: 50 }),
        (values, maxPoints) => {
          const equity = Float64Array.from(values);
          const picked = downsampledRowIndices(equity, 0, equity.length, maxPoints);
          const lowest = values.indexOf(Math.min(...values));
          const highest = values.indexOf(Math.max(...values));
          expect(picked.length).toBeLessThanOrEqual(maxPoints);
          expect(picked).toEqual([...new Set(picked)].sort((a, b) => a - b));
          expect(picked[0]).toBe(0);
          expect(picked[picked.length - 1]).toBe(values.length - 1);
          if (maxPoints >= 4 || values.length <= maxPoints) {
            expect(picked.map((i) => equity[i])).toEqual(expect.arrayContaining([equity[lowest], equity[highest]]));
          }
        },
      ),
    );
  });
});
