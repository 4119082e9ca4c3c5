/** The submission form's rules, apart from its markup: which timeframes and dates the chosen symbols allow, parameter defaults. */
import { formatNumber } from './format';
import type { MarketSymbol, ParameterSchema, Strategy, StrategyListing } from './types';

const TIMEFRAME_ORDER = ['1m', '5m', '15m', '1h', '4h', '1d'];
export const PREFERRED_TIMEFRAME = '1d';
const DEFAULT_SPAN_YEARS = 2;

const timeframeRank = (timeframe: string) => {
  const rank = TIMEFRAME_ORDER.indexOf(timeframe);
  return rank === -1 ? TIMEFRAME_ORDER.length : rank;
};

/** Timeframes every chosen symbol has (every timeframe of any symbol when none is chosen), shortest first. */
export function availableTimeframes(catalog: MarketSymbol[], chosen: string[]): string[] {
  const relevant = chosen.length > 0 ? catalog.filter((entry) => chosen.includes(entry.symbol)) : catalog;
  const timeframeSets = relevant.map((entry) => new Set(entry.timeframes.map((range) => range.timeframe)));
  const all = [...new Set(relevant.flatMap((entry) => entry.timeframes.map((range) => range.timeframe)))];
  const shared = chosen.length > 0 ? all.filter((timeframe) => timeframeSets.every((set) => set.has(timeframe))) : all;
  return shared.sort((a, b) => timeframeRank(a) - timeframeRank(b));
}

export interface DateRange {
  min: string;
  max: string;
}

const day = (value: string) => value.slice(0, 10);

/** From the earliest start to the latest end of the chosen symbols' data in this timeframe. */
export function availableDateRange(catalog: MarketSymbol[], chosen: string[], timeframe: string): DateRange | null {
  const ranges = catalog
    .filter((entry) => chosen.includes(entry.symbol))
    .flatMap((entry) => entry.timeframes.filter((range) => range.timeframe === timeframe))
    .flatMap((range) => (range.start_date && range.end_date ? [{ start: day(range.start_date), end: day(range.end_date) }] : []));
  if (ranges.length === 0) return null;
  return {
    min: ranges.map((range) => range.start).sort()[0],
    max: ranges
      .map((range) => range.end)
      .sort()
      .at(-1)!,
  };
}

/** The backtest's dates, named as the API names them. */
export interface BacktestDates {
  start_date: string;
  end_date: string;
}

/** The last DEFAULT_SPAN_YEARS of the range (all of it when shorter). */
export function defaultDates(range: DateRange): BacktestDates {
  const end = new Date(`${range.max}T00:00:00Z`);
  end.setUTCFullYear(end.getUTCFullYear() - DEFAULT_SPAN_YEARS);
  end.setUTCDate(end.getUTCDate() + 1);
  const spanStart = end.toISOString().slice(0, 10);
  return { start_date: spanStart > range.min ? spanStart : range.min, end_date: range.max };
}

const clampDate = (value: string, range: DateRange) => (value < range.min ? range.min : value > range.max ? range.max : value);

export const clampDates = (dates: BacktestDates, range: DateRange): BacktestDates => ({
  start_date: clampDate(dates.start_date, range),
  end_date: clampDate(dates.end_date, range),
});

/** Form values of a strategy's parameters: numbers and choices as the text in their input, booleans as booleans. */
export type ParamValues = Record<string, string | boolean>;

type JsonSchema = Record<string, unknown> & { anyOf?: Record<string, unknown>[] };

/** A parameter's JSON Schema as the form reads it: `anyOf [X, null]` becomes X, nullable. */
export function parameterSchemaOf(json: JsonSchema): ParameterSchema {
  const options = json.anyOf;
  if (!options) return json as unknown as ParameterSchema;
  const value = options.find((option) => option.type !== 'null') ?? {};
  const { anyOf: _anyOf, ...rest } = json;
  return { ...value, ...rest, nullable: options.some((option) => option.type === 'null') } as ParameterSchema;
}

/** The strategy with each parameter's schema as the form reads it. */
export function formStrategy(strategy: StrategyListing): Strategy {
  const properties = (strategy.parameters.properties ?? {}) as Record<string, JsonSchema>;
  return {
    ...strategy,
    parameters: { properties: Object.fromEntries(Object.entries(properties).map(([name, json]) => [name, parameterSchemaOf(json)])) },
  };
}

export function defaultParamValues(strategy: Strategy): ParamValues {
  return Object.fromEntries(
    Object.entries(strategy.parameters.properties).map(([name, schema]) => [
      name,
      schema.type === 'boolean'
        ? schema.default === true
        : schema.default === undefined || schema.default === null
          ? ''
          : String(schema.default),
    ]),
  );
}

/** Parameters as the API takes them; an emptied field is left out so the server applies its default (off, for optional ones). */
export function paramsForSubmission(strategy: Strategy, values: ParamValues): Record<string, number | boolean | string> {
  const params: Record<string, number | boolean | string> = {};
  for (const [name, value] of Object.entries(values)) {
    const schema = strategy.parameters.properties[name];
    if (typeof value === 'boolean') params[name] = value;
    else if (value.trim() === '') continue;
    else params[name] = schema?.type === 'string' ? value : Number(value);
  }
  return params;
}

const decimalsOf = (value: number) => (String(value).split('.')[1] ?? '').length;

/**
 * The spinner step of a number input: the finer of the default's last decimal and a hundredth of
 * the allowed span, as a power of ten (fee_rate 0.0005 -> 0.0001, position_size (0, 1] -> 0.01).
 */
export function inputStep(schema: ParameterSchema): number {
  if (schema.type === 'integer') return 1;
  const lower = schema.minimum ?? schema.exclusiveMinimum;
  const upper = schema.maximum ?? schema.exclusiveMaximum;
  const fromDefault = typeof schema.default === 'number' ? 10 ** -decimalsOf(schema.default) : 1;
  const fromSpan = lower !== undefined && upper !== undefined ? 10 ** Math.floor(Math.log10((upper - lower) / 100)) : 1;
  return Math.min(fromDefault, fromSpan);
}

const boundNumber = (value: number) => (Math.abs(value) >= 1e6 ? value.toExponential().replace('+', '') : formatNumber(value));

/** The allowed values in interval notation: `[2, 10,000]`, `(0, 1]`, `[0, 0.1)`, `(0, 1e15]`. */
export function boundsText(schema: ParameterSchema): string {
  const lower = schema.minimum ?? schema.exclusiveMinimum;
  const upper = schema.maximum ?? schema.exclusiveMaximum;
  if (lower === undefined && upper === undefined) return '';
  const opening = schema.minimum !== undefined ? '[' : '(';
  const closing = schema.maximum !== undefined ? ']' : ')';
  return `${opening}${lower === undefined ? '−∞' : boundNumber(lower)}, ${upper === undefined ? '∞' : boundNumber(upper)}${closing}`;
}
