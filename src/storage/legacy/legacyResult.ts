/**
 * The predecessor's result.json and its conversion to and from the three Parquet result tables.
 *
 * The predecessor (a Python service) stored the response of its backtest API, `BacktestResponse`
 * schema 1.1.0, as DATA_ROOT/tasks/<task_id>/result.json:
 *
 *   { version, run_id, strategy, params, start_date, end_date, timeframe, total_signals,
 *     execution_time (seconds), metadata: { execution_date, environment, execution_host }, description,
 *     symbols: [{ symbol, win_rate, avg_return, max_drawdown, avg_hold_bars,
 *                 signals: [{ symbol, type, timestamp, entry_price, exit_price, return_pct }],
 *                 performance_curve: [{ timestamp, equity, drawdown }] | null }] }
 *
 * Units differ from the Parquet tables, which hold percentages: `win_rate` is a fraction (0.55 = 55%)
 * and a signal's `return_pct` is a fraction too (0.05 = 5%, as its API documented); `avg_return` and
 * `max_drawdown` are in %. Its `performance_curve` had one point per trade, `equity` a growth multiple
 * starting at 1.0 and `drawdown` null. `buildLegacyResult` writes the same shape and units, with the
 * later fields (the seed's twelve summary columns, a trade's quantity/hold/fees/status, the curve's
 * cumulative P&L, the extra metrics of DESIGN.md section 5) beside them, so what it writes converts
 * back to the same tables.
 *
 * Converting to tables, a value the JSON lacks becomes:
 * - summary: the counts are counted from the signals; max/min_return come from the closed signals
 *   (null without any); total_pnl, total_pnl_pct and the extra metrics are null.
 * - trade: hold_bars, quantity, fee_amount and slippage_amount are null; status is "open" when
 *   exit_price is null, else "closed"; type is "buy".
 * - curve point: drawdown is taken from the running peak of equity (starting at the base);
 *   cumulative_pnl = equity - base and cumulative_pnl_pct = (equity / base - 1) * 100, where the base is
 *   `params.initial_capital`, or 1 (the predecessor's growth multiple) when the params have none.
 * Timestamps are ISO 8601 (a date, or a date and time; no zone means UTC) or epoch milliseconds.
 */
import { Table, vectorFromArray, type Schema } from 'apache-arrow';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { isoDateSchema, type BacktestRequest } from '../../contracts/backtestRequest';
import type { SummaryRow } from '../../contracts/resultRows';
import type { EquityCurve, SymbolSummary } from '../../engine/types';
import type { ExecutionContext } from '../manifest';
import { buildPerformanceCurveTable, buildSymbolSummaryTable, symbolSignalsSchema, type ResultTables } from '../resultTables';

/** The predecessor's whole-result JSON, written in `dual-write` and `json-only` modes. */
export const LEGACY_RESULT_FILE = 'result.json';

/** The predecessor's last schema version: the shape and units this module reads and writes. */
export const LEGACY_RESULT_VERSION = '1.1.0';

const TIMESTAMP_PATTERN = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds of an ISO 8601 date or date-time (no zone means UTC); undefined if it is neither. */
export function parseLegacyTimestamp(value: string): number | undefined {
  const match = TIMESTAMP_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const zone = match[3] ? match[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
  const epochMs = Date.parse(`${match[1]}T${match[2] ?? '00:00'}${zone}`);
  return Number.isNaN(epochMs) ? undefined : epochMs;
}

/** A timestamp as epoch milliseconds: ISO 8601 text, or a number taken as epoch ms. */
const legacyTimestamp = z.union([z.number(), z.string()]).transform((value, context) => {
  const epochMs = typeof value === 'number' ? value : parseLegacyTimestamp(value);
  if (epochMs === undefined) {
    context.addIssue({ code: 'custom', message: `not an ISO 8601 timestamp: ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return epochMs;
});

const optionalNumber = z.number().nullable().optional();
const count = z.number().int().nonnegative();

const legacySignalSchema = z.object({
  symbol: z.string().optional(),
  type: z.string().min(1).default('buy'),
  timestamp: legacyTimestamp,
  entry_price: z.number(),
  /** null or absent while the trade is open. */
  exit_price: optionalNumber,
  /** A fraction: 0.05 = 5%. */
  return_pct: z.number(),
  quantity: optionalNumber,
  hold_bars: count.nullable().optional(),
  fee_amount: optionalNumber,
  slippage_amount: optionalNumber,
  status: z.enum(['closed', 'open']).optional(),
});

const legacyCurvePointSchema = z.object({
  timestamp: legacyTimestamp,
  equity: z.number(),
  drawdown: optionalNumber,
  cumulative_pnl: optionalNumber,
  cumulative_pnl_pct: optionalNumber,
});

const legacySymbolSchema = z.object({
  symbol: z.string().min(1),
  signals: z.array(legacySignalSchema).default([]),
  /** A fraction: 0.55 = 55%. */
  win_rate: z.number().min(0).max(1),
  avg_return: z.number(),
  max_drawdown: z.number(),
  avg_hold_bars: z.number().nonnegative(),
  max_return: optionalNumber,
  min_return: optionalNumber,
  total_signals: count.optional(),
  winning_signals: count.optional(),
  losing_signals: count.optional(),
  total_pnl: optionalNumber,
  total_pnl_pct: optionalNumber,
  sharpe: optionalNumber,
  sortino: optionalNumber,
  profit_factor: optionalNumber,
  expectancy: optionalNumber,
  exposure_pct: optionalNumber,
  cagr: optionalNumber,
  buy_and_hold_return_pct: optionalNumber,
  performance_curve: z.array(legacyCurvePointSchema).nullable().optional(),
});

/** Lenient about what the predecessor left out or added, strict about what a table or the database row needs. */
export const legacyResultSchema = z
  .object({
    version: z.string().optional(),
    run_id: z.string().optional(),
    strategy: z.string().min(1).max(100),
    params: z.record(z.string(), z.unknown()).default({}),
    start_date: isoDateSchema,
    end_date: isoDateSchema,
    timeframe: z.string().min(1).max(10),
    symbols: z.array(legacySymbolSchema).refine((symbols) => new Set(symbols.map((s) => s.symbol)).size === symbols.length, {
      message: 'a symbol appears twice',
    }),
    total_signals: count.optional(),
    execution_time: z.number().nonnegative().optional(),
    metadata: z
      .object({
        execution_date: z.string().optional(),
        environment: z.string().optional(),
        execution_host: z.string().optional(),
      })
      .nullable()
      .optional(),
    description: z.string().nullable().optional(),
  })
  .refine((result) => result.start_date <= result.end_date, {
    path: ['end_date'],
    message: 'end_date is before start_date',
  });

/** A parsed result.json: timestamps as epoch milliseconds, defaults applied. */
export type LegacyResult = z.output<typeof legacyResultSchema>;
/** result.json as written: timestamps as ISO 8601 strings. */
export type LegacyResultJson = z.input<typeof legacyResultSchema>;
type LegacySymbol = LegacyResult['symbols'][number];
type LegacySignal = LegacySymbol['signals'][number];

/** Why a result.json cannot be imported, in words a person can act on. */
export class LegacyResultError extends Error {}

const MAX_ISSUES_SHOWN = 3;

/** Parses and validates result.json text; a LegacyResultError says where JSON is broken or which fields are wrong. */
export function parseLegacyResult(text: string): LegacyResult {
  if (text.trim() === '') throw new LegacyResultError(`empty file (${text.length} characters)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LegacyResultError(`corrupt JSON: ${jsonErrorLocation(text) ?? (error as Error).message}`);
  }
  const parsed = legacyResultSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const { issues } = parsed.error;
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = issues.length > MAX_ISSUES_SHOWN ? ` (+${issues.length - MAX_ISSUES_SHOWN} more)` : '';
  throw new LegacyResultError(`schema violation: ${shown.join('; ')}${more}`);
}

/**
 * What and where the first syntax error is. Node 20's JSON.parse names a position for some errors
 * only (and quotes the text around it), so jsonc-parser, with strict JSON options, locates it.
 */
function jsonErrorLocation(text: string): string | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length === 0) return undefined;
  const { offset, error } = errors[0];
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const truncated = offset >= text.length ? ', the file ends early' : '';
  return `${printParseErrorCode(error)} at line ${line}, column ${column} (character ${offset} of ${text.length}${truncated})`;
}

// ---------------------------------------------------------------------------------------------
// result.json -> tables

const EXTRA_METRICS = ['sharpe', 'sortino', 'profit_factor', 'expectancy', 'exposure_pct', 'cagr', 'buy_and_hold_return_pct'] as const;

const isClosed = (signal: LegacySignal) => (signal.status ?? (signal.exit_price == null ? 'open' : 'closed')) === 'closed';

/** Per-symbol summaries in the tables' units (percentages); see the module comment for missing values. */
export function legacySymbolSummaries(result: LegacyResult): SummaryRow[] {
  return result.symbols.map((symbol) => {
    const closedReturns = symbol.signals.filter(isClosed).map((signal) => signal.return_pct * 100);
    const extremeOrMissing = (pick: (a: number, b: number) => number) =>
      closedReturns.length > 0 ? closedReturns.reduce((a, b) => pick(a, b)) : NaN;
    // NaN is what the summary builder stores as null.
    const orMissing = (value: number | null | undefined) => value ?? NaN;
    return {
      symbol: symbol.symbol,
      win_rate: symbol.win_rate * 100,
      avg_return: symbol.avg_return,
      max_return: symbol.max_return ?? extremeOrMissing(Math.max),
      min_return: symbol.min_return ?? extremeOrMissing(Math.min),
      max_drawdown: symbol.max_drawdown,
      avg_hold_bars: symbol.avg_hold_bars,
      total_signals: symbol.total_signals ?? symbol.signals.length,
      winning_signals: symbol.winning_signals ?? closedReturns.filter((r) => r > 0).length,
      losing_signals: symbol.losing_signals ?? closedReturns.filter((r) => r <= 0).length,
      total_pnl: orMissing(symbol.total_pnl),
      total_pnl_pct: orMissing(symbol.total_pnl_pct),
      ...(Object.fromEntries(EXTRA_METRICS.map((name) => [name, symbol[name] ?? null])) as Pick<
        SymbolSummary,
        (typeof EXTRA_METRICS)[number]
      >),
    };
  });
}

export function legacyResultToTables(result: LegacyResult): ResultTables {
  const initialCapital = result.params.initial_capital;
  const base = typeof initialCapital === 'number' && initialCapital > 0 ? initialCapital : 1;
  return {
    symbol_summary: buildSymbolSummaryTable(legacySymbolSummaries(result).map(({ symbol, ...summary }) => ({ symbol, summary }))),
    symbol_signals: tableFromRows(symbolSignalsSchema, result.symbols.flatMap(signalRows)),
    performance_curve: buildPerformanceCurveTable(
      result.symbols.map((symbol) => ({ symbol: symbol.symbol, ...curveColumns(symbol.performance_curve ?? [], base) })),
    ),
  };
}

/**
 * The predecessor's JSON has no exit time: a closed trade exits `hold_bars` bars after its entry, read from the
 * symbol's curve (one point per bar); null while open or when the curve does not hold the bars.
 */
function exitTimestampsOf(symbol: LegacySymbol): (number | null)[] {
  const barTimes = (symbol.performance_curve ?? []).map((point) => point.timestamp);
  const barOf = new Map(barTimes.map((time, bar) => [time, bar]));
  return symbol.signals.map((signal) => {
    const entryBar = barOf.get(signal.timestamp);
    if (!isClosed(signal) || entryBar === undefined || signal.hold_bars == null) return null;
    return barTimes[entryBar + signal.hold_bars] ?? null;
  });
}

function signalRows(symbol: LegacySymbol): Record<string, unknown>[] {
  const exitTimestamps = exitTimestampsOf(symbol);
  return symbol.signals.map((signal, k) => ({
    symbol: symbol.symbol,
    signal_index: k + 1,
    timestamp: signal.timestamp,
    type: signal.type,
    entry_price: signal.entry_price,
    exit_price: signal.exit_price ?? null,
    quantity: signal.quantity ?? null,
    return_pct: signal.return_pct * 100,
    hold_bars: signal.hold_bars ?? null,
    fee_amount: signal.fee_amount ?? null,
    slippage_amount: signal.slippage_amount ?? null,
    status: isClosed(signal) ? 'closed' : 'open',
    // The predecessor's trades all ended by their hold period (or are still open).
    exit_reason: isClosed(signal) ? 'hold' : 'end_of_data',
    exit_timestamp: exitTimestamps[k],
  }));
}

/**
 * A table of `schema` from plain rows (timestamps as epoch ms). Used for trades rather than the
 * engine's builder because legacy trades have nulls the engine never produces (unknown quantity or
 * fees) and an open trade's hold_bars as recorded, not derived from a bar series.
 */
function tableFromRows(schema: Schema, rows: Record<string, unknown>[]): Table {
  return new Table(
    Object.fromEntries(
      schema.fields.map((field) => [
        field.name,
        vectorFromArray(
          rows.map((row) => row[field.name]),
          field.type,
        ),
      ]),
    ),
  );
}

type LegacyCurvePoint = NonNullable<LegacySymbol['performance_curve']>[number];

function curveColumns(points: LegacyCurvePoint[], base: number): { timestamps: Float64Array; curve: EquityCurve } {
  let peak = base;
  const column = (value: (point: LegacyCurvePoint) => number) => Float64Array.from(points, value);
  return {
    timestamps: column((point) => point.timestamp),
    curve: {
      length: points.length,
      equity: column((point) => point.equity),
      drawdown: column((point) => {
        peak = Math.max(peak, point.equity);
        return point.drawdown ?? (peak > 0 ? ((peak - point.equity) / peak) * 100 : 0);
      }),
      cumulativePnl: column((point) => point.cumulative_pnl ?? point.equity - base),
      cumulativePnlPct: column((point) => point.cumulative_pnl_pct ?? (point.equity / base - 1) * 100),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// tables -> result.json

/** What result.json says besides the tables: the request and the run. */
export interface LegacyResultHeader {
  run_id: string;
  strategy: string;
  params: Record<string, unknown>;
  start_date: string;
  end_date: string;
  timeframe: string;
  /** Seconds, as the predecessor recorded it. */
  execution_time?: number;
  metadata?: { execution_date?: string; environment?: string; execution_host?: string };
}

/**
 * The predecessor's result.json for a result held in the three tables (in memory or read back from
 * Parquet), in its shape and units: what `json-only` and `dual-write` storage write.
 */
export function buildLegacyResult(header: LegacyResultHeader, tables: ResultTables): LegacyResultJson {
  const summaries = columnsOf(tables.symbol_summary);
  const signals = columnsOf(tables.symbol_signals);
  const curve = columnsOf(tables.performance_curve);
  const signalRows = rowIndicesBySymbol(signals.symbol as string[]);
  const curveRows = rowIndicesBySymbol(curve.symbol as string[]);
  const value = (columns: Record<string, unknown[]>, name: string, row: number) => columns[name][row] as number;
  const isoTime = (columns: Record<string, unknown[]>, row: number) => new Date(value(columns, 'timestamp', row)).toISOString();

  const symbols = (summaries.symbol as string[]).map((symbol, i) => {
    const summary = (name: string) => value(summaries, name, i);
    return {
      symbol,
      signals: (signalRows.get(symbol) ?? []).map((row) => ({
        symbol,
        type: signals.type[row] as string,
        timestamp: isoTime(signals, row),
        entry_price: value(signals, 'entry_price', row),
        exit_price: value(signals, 'exit_price', row),
        return_pct: value(signals, 'return_pct', row) / 100,
        quantity: value(signals, 'quantity', row),
        hold_bars: value(signals, 'hold_bars', row),
        fee_amount: value(signals, 'fee_amount', row),
        slippage_amount: value(signals, 'slippage_amount', row),
        status: signals.status[row] as 'closed' | 'open',
      })),
      win_rate: summary('win_rate') / 100,
      avg_return: summary('avg_return'),
      max_drawdown: summary('max_drawdown'),
      avg_hold_bars: summary('avg_hold_bars'),
      max_return: summary('max_return'),
      min_return: summary('min_return'),
      total_signals: summary('total_signals'),
      winning_signals: summary('winning_signals'),
      losing_signals: summary('losing_signals'),
      total_pnl: summary('total_pnl'),
      total_pnl_pct: summary('total_pnl_pct'),
      ...Object.fromEntries(EXTRA_METRICS.map((name) => [name, summary(name)])),
      performance_curve: (curveRows.get(symbol) ?? []).map((row) => ({
        timestamp: isoTime(curve, row),
        equity: value(curve, 'equity', row),
        drawdown: value(curve, 'drawdown', row),
        cumulative_pnl: value(curve, 'cumulative_pnl', row),
        cumulative_pnl_pct: value(curve, 'cumulative_pnl_pct', row),
      })),
    };
  });
  return {
    version: LEGACY_RESULT_VERSION,
    run_id: header.run_id,
    strategy: header.strategy,
    params: header.params,
    start_date: header.start_date,
    end_date: header.end_date,
    timeframe: header.timeframe,
    symbols,
    total_signals: symbols.reduce((sum, symbol) => sum + symbol.total_signals, 0),
    execution_time: header.execution_time,
    metadata: header.metadata,
    description: null,
  };
}

/** Every column as a plain array (nulls as null, timestamps as epoch ms). */
function columnsOf(table: Table): Record<string, unknown[]> {
  return Object.fromEntries(table.schema.fields.map((field) => [field.name, [...table.getChild(field.name)!]]));
}

function rowIndicesBySymbol(symbols: string[]): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  symbols.forEach((symbol, row) => {
    const list = rows.get(symbol);
    if (list) list.push(row);
    else rows.set(symbol, [row]);
  });
  return rows;
}

/** result.json of a freshly computed task, as `json-only` and `dual-write` storage write it. */
export function encodeLegacyResult(taskId: string, request: BacktestRequest, context: ExecutionContext, tables: ResultTables): string {
  const header: LegacyResultHeader = {
    run_id: taskId,
    strategy: request.strategy,
    params: request.params,
    start_date: request.start_date,
    end_date: request.end_date,
    timeframe: request.timeframe,
    execution_time: (Date.parse(context.finished_at) - Date.parse(context.started_at)) / 1000,
    metadata: { execution_date: context.finished_at, environment: context.environment, execution_host: context.execution_host },
  };
  return JSON.stringify(buildLegacyResult(header, tables));
}
