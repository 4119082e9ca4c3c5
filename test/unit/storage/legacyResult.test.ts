import type { Table } from 'apache-arrow';
import type { EquityCurve, SymbolSummary, Trades } from '../../../src/engine/types';
import {
  buildLegacyResult,
  legacyResultSchema,
  legacyResultToTables,
  type LegacyResultJson,
} from '../../../src/storage/legacy/legacyResult';
import { parquetToTable, tableToParquet } from '../../../src/shared/parquet';
import {
  type ResultTables,
  buildPerformanceCurveTable,
  buildSymbolSignalsTable,
  buildSymbolSummaryTable,
  performanceCurveSchema,
  symbolSignalsSchema,
  symbolSummarySchema,
} from '../../../src/storage/resultTables';

const column = (table: Table, name: string) => [...table.getChild(name)!];
const describeSchema = (table: Table) => table.schema.fields.map((field) => `${field.name}:${field.type}:${field.nullable}`);
const roundTrip = (table: Table) => parquetToTable(tableToParquet(table, 'snappy'));

/** What the predecessor's API wrote (schema 1.1.0): fractions for win_rate and return_pct, a per-trade growth curve. */
const predecessorResult = (): LegacyResultJson => ({
  version: '1.1.0',
  run_id: 'c0ffee00-0000-4000-8000-000000000001',
  strategy: 'volume_zone_breakout',
  params: { volume_window: 10, top_percentile: 0.2, breakout_buffer: 0.0 },
  start_date: '2024-01-01',
  end_date: '2024-02-29',
  timeframe: '1d',
  symbols: [
    {
      symbol: 'BTC_KRW',
      signals: [
        {
          symbol: 'BTC_KRW',
          type: 'buy',
          timestamp: '2024-01-12T00:00:00',
          entry_price: 58_000_000,
          exit_price: 60_198_200,
          return_pct: 0.0379,
        },
        {
          symbol: 'BTC_KRW',
          type: 'buy',
          timestamp: '2024-01-20T00:00:00',
          entry_price: 61_000_000,
          exit_price: 59_780_000,
          return_pct: -0.02,
        },
      ],
      win_rate: 0.5,
      avg_return: 0.895,
      max_drawdown: 2.0,
      avg_hold_bars: 1.0,
      performance_curve: [
        { timestamp: '2024-01-12', equity: 1.0379, drawdown: null },
        { timestamp: '2024-01-20', equity: 1.017142, drawdown: null },
      ],
    },
    { symbol: 'ETH_KRW', signals: [], win_rate: 0, avg_return: 0, max_drawdown: 0, avg_hold_bars: 0, performance_curve: null },
  ],
  total_signals: 2,
  execution_time: 0.42,
  metadata: { execution_date: '2025-11-04T10:35:20.654321Z', environment: 'production', execution_host: 'coin-worker-1' },
  description: null,
});

describe('legacyResultToTables on a result the predecessor wrote', () => {
  const tables = legacyResultToTables(legacyResultSchema.parse(predecessorResult()));
  const read = {
    summary: roundTrip(tables.symbol_summary),
    signals: roundTrip(tables.symbol_signals),
    curve: roundTrip(tables.performance_curve),
  };

  it('produces the exact schemas of the result tables', () => {
    expect(describeSchema(read.summary)).toEqual(symbolSummarySchema.fields.map((f) => `${f.name}:${f.type}:true`));
    expect(describeSchema(read.signals)).toEqual(symbolSignalsSchema.fields.map((f) => `${f.name}:${f.type}:true`));
    expect(describeSchema(read.curve)).toEqual(performanceCurveSchema.fields.map((f) => `${f.name}:${f.type}:true`));
  });

  it('converts fractions to percentages and counts what the summary lacks', () => {
    const btc = read.summary.get(0)!.toJSON();
    expect(btc).toMatchObject({ symbol: 'BTC_KRW', win_rate: 50, avg_return: 0.895, max_drawdown: 2, avg_hold_bars: 1 });
    expect(btc).toMatchObject({
      total_signals: 2,
      winning_signals: 1,
      losing_signals: 1,
      total_pnl: null,
      total_pnl_pct: null,
      sharpe: null,
    });
    expect(btc.max_return).toBeCloseTo(3.79, 12);
    expect(btc.min_return).toBeCloseTo(-2, 12);
    expect(read.summary.get(1)!.toJSON()).toMatchObject({ symbol: 'ETH_KRW', total_signals: 0, max_return: null, min_return: null });
  });

  it('makes one trade row per signal: numbered, timestamped in UTC, unknown amounts null', () => {
    expect(column(read.signals, 'signal_index')).toEqual([1, 2]);
    expect([...(read.signals.getChild('timestamp')!.toArray() as BigInt64Array)]).toEqual([
      BigInt(Date.UTC(2024, 0, 12)) * 1000n,
      BigInt(Date.UTC(2024, 0, 20)) * 1000n,
    ]);
    expect(column(read.signals, 'return_pct').map((r) => Math.round((r as number) * 1e6) / 1e6)).toEqual([3.79, -2]);
    expect(column(read.signals, 'exit_price')).toEqual([60_198_200, 59_780_000]);
    expect(column(read.signals, 'status')).toEqual(['closed', 'closed']);
    for (const name of ['quantity', 'hold_bars', 'fee_amount', 'slippage_amount']) expect(column(read.signals, name)).toEqual([null, null]);
    // no hold_bars, so no exit bar to read from the curve
    expect(column(read.signals, 'exit_timestamp')).toEqual([null, null]);
  });

  it('derives drawdown and cumulative P&L of a growth-multiple curve from a base of 1', () => {
    expect(column(read.curve, 'symbol')).toEqual(['BTC_KRW', 'BTC_KRW']);
    expect(column(read.curve, 'idx')).toEqual([0, 1]);
    const [first, second] = [read.curve.get(0)!.toJSON(), read.curve.get(1)!.toJSON()];
    expect(first.drawdown).toBe(0);
    expect(second.drawdown).toBeCloseTo(((1.0379 - 1.017142) / 1.0379) * 100, 10);
    expect(first.cumulative_pnl).toBeCloseTo(0.0379, 12);
    expect(second.cumulative_pnl_pct).toBeCloseTo(1.7142, 10);
  });
});

describe('timestamps', () => {
  const firstSignalTime = (timestamp: string | number) => {
    const result = predecessorResult();
    result.symbols[0].signals![0].timestamp = timestamp;
    return legacyResultSchema.parse(result).symbols[0].signals[0].timestamp;
  };

  it.each([
    ['2024-01-12T10:30:00', Date.UTC(2024, 0, 12, 10, 30)],
    ['2024-01-12 10:30:00', Date.UTC(2024, 0, 12, 10, 30)],
    ['2024-01-12T10:30:00.250123', Date.UTC(2024, 0, 12, 10, 30, 0, 250)],
    ['2024-01-12T19:30:00+09:00', Date.UTC(2024, 0, 12, 10, 30)],
    ['2024-01-12T19:30:00+0900', Date.UTC(2024, 0, 12, 10, 30)],
    ['2024-01-12', Date.UTC(2024, 0, 12)],
    [Date.UTC(2024, 0, 12, 10, 30), Date.UTC(2024, 0, 12, 10, 30)],
  ])('reads %p as UTC epoch ms', (input, expected) => {
    expect(firstSignalTime(input)).toBe(expected);
  });

  it('rejects what is not a timestamp, naming the field', () => {
    expect(() => firstSignalTime('12/01/2024')).toThrow(/symbols\.0\.signals\.0\.timestamp|not an ISO 8601 timestamp/);
    const issues = legacyResultSchema.safeParse({
      ...predecessorResult(),
      symbols: [
        { ...predecessorResult().symbols[0], signals: [{ ...predecessorResult().symbols[0].signals![0], timestamp: 'yesterday' }] },
      ],
    });
    expect(issues.success).toBe(false);
    expect(issues.error!.issues[0].path.join('.')).toBe('symbols.0.signals.0.timestamp');
  });
});

describe('legacyResultSchema', () => {
  const firstIssue = (mutate: (result: any) => void) => {
    const result = predecessorResult() as any;
    mutate(result);
    const parsed = legacyResultSchema.safeParse(result);
    if (parsed.success) throw new Error('expected a schema violation');
    return `${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`;
  };

  it('names the field of a wrong type', () => {
    expect(firstIssue((r) => (r.symbols[0].signals[1].entry_price = '61000000'))).toMatch(/^symbols\.0\.signals\.1\.entry_price: .*number/);
    expect(firstIssue((r) => (r.symbols = 'BTC_KRW'))).toMatch(/^symbols: /);
  });

  it('needs what a table or the database row needs', () => {
    expect(firstIssue((r) => delete r.strategy)).toMatch(/^strategy: /);
    expect(firstIssue((r) => (r.start_date = '2024-13-01'))).toMatch(/^start_date: /);
    expect(firstIssue((r) => (r.end_date = '2023-12-31'))).toBe('end_date: end_date is before start_date');
    expect(firstIssue((r) => r.symbols.push({ ...r.symbols[0] }))).toBe('symbols: a symbol appears twice');
  });

  it('refuses a win rate in percent, which would be read as a fraction', () => {
    expect(firstIssue((r) => (r.symbols[0].win_rate = 55))).toMatch(/^symbols\.0\.win_rate: /);
  });

  it('accepts what the predecessor left out and ignores what it added', () => {
    const parsed = legacyResultSchema.parse({
      strategy: 'volume_long_candle',
      start_date: '2024-01-01',
      end_date: '2024-01-31',
      timeframe: '1h',
      symbols: [{ symbol: 'XRP_KRW', win_rate: 1, avg_return: 3, max_drawdown: 0, avg_hold_bars: 1, note: 'extra' }],
      something_new: true,
    });
    expect(parsed.params).toEqual({});
    expect(parsed.symbols[0].signals).toEqual([]);
    expect(parsed).not.toHaveProperty('something_new');
  });
});

// ---------------------------------------------------------------------------------------------
// From engine-built tables to result.json and back: what dual-write writes converts to the same tables.

const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const hourly = (bars: number) => Float64Array.from({ length: bars }, (_, i) => T0 + i * HOUR_MS);

function engineTables(): ResultTables {
  const trades: Trades = {
    count: 2,
    entryIndex: Int32Array.of(1, 4),
    exitIndex: Int32Array.of(3, -1),
    entryPrice: Float64Array.of(100.05, 104.5),
    exitPrice: Float64Array.of(110.2, NaN),
    quantity: Float64Array.of(999.5, 1050.25),
    returnPct: Float64Array.of(10.07, -1.3),
    holdBars: Int32Array.of(2, 0),
    feeAmount: Float64Array.of(105.1, 52.3),
    slippageAmount: Float64Array.of(0, 0),
  };
  const equity = Float64Array.of(100_000, 100_000, 101_000, 110_070, 110_070, 108_640);
  let peak = 0;
  const curve: EquityCurve = {
    length: equity.length,
    equity,
    drawdown: equity.map((e) => (((peak = Math.max(peak, e)) - e) / peak) * 100),
    cumulativePnl: equity.map((e) => e - 100_000),
    cumulativePnlPct: equity.map((e) => (e - 100_000) / 1_000),
  };
  const summary: SymbolSummary = {
    win_rate: 100,
    avg_return: 10.07,
    max_return: 10.07,
    min_return: 10.07,
    max_drawdown: 1.3,
    avg_hold_bars: 2,
    total_signals: 2,
    winning_signals: 1,
    losing_signals: 0,
    total_pnl: 8_640,
    total_pnl_pct: 8.64,
    sharpe: 1.25,
    sortino: null,
    profit_factor: null,
    expectancy: 10.07,
    exposure_pct: 66.7,
    cagr: null,
    buy_and_hold_return_pct: 4.1,
  };
  return {
    symbol_summary: buildSymbolSummaryTable([{ symbol: 'BTC_KRW', summary }]),
    symbol_signals: buildSymbolSignalsTable([{ symbol: 'BTC_KRW', timestamps: hourly(6), trades }]),
    performance_curve: buildPerformanceCurveTable([{ symbol: 'BTC_KRW', timestamps: hourly(6), curve }]),
  };
}

describe('buildLegacyResult', () => {
  const header = {
    run_id: 'c0ffee00-0000-4000-8000-000000000002',
    strategy: 'volume_long_candle',
    params: { vol_ma_window: 20, initial_capital: 100_000 },
    start_date: '2024-01-01',
    end_date: '2024-01-01',
    timeframe: '1h',
    execution_time: 0.05,
  };
  const tables = engineTables();
  const json = buildLegacyResult(header, tables);

  it('writes the predecessor shape and units', () => {
    expect(json).toMatchObject({
      version: '1.1.0',
      run_id: header.run_id,
      strategy: 'volume_long_candle',
      total_signals: 2,
      timeframe: '1h',
    });
    const btc = json.symbols[0];
    expect(btc).toMatchObject({ symbol: 'BTC_KRW', win_rate: 1, avg_return: 10.07, sharpe: 1.25, sortino: null });
    expect(btc.signals![0]).toMatchObject({ symbol: 'BTC_KRW', type: 'buy', timestamp: '2024-01-01T01:00:00.000Z', status: 'closed' });
    expect(btc.signals![0].return_pct).toBeCloseTo(0.1007, 12);
    expect(btc.signals![1]).toMatchObject({ exit_price: null, status: 'open', hold_bars: 1 });
    expect(btc.performance_curve).toHaveLength(6);
  });

  it('converts back to the same tables after a trip through JSON text', () => {
    const back = legacyResultToTables(legacyResultSchema.parse(JSON.parse(JSON.stringify(json))));
    for (const name of ['symbol_summary', 'symbol_signals', 'performance_curve'] as const) {
      expect(describeSchema(back[name])).toEqual(describeSchema(tables[name]));
      expect(back[name].numRows).toBe(tables[name].numRows);
      for (const field of tables[name].schema.fields) {
        const [expected, actual] = [column(tables[name], field.name), column(back[name], field.name)];
        actual.forEach((value, row) =>
          typeof value === 'number' ? expect(value).toBeCloseTo(expected[row] as number, 9) : expect(value).toEqual(expected[row]),
        );
      }
    }
  });
});
