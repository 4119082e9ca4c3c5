/**
 * The API's JSON shapes, as the page reads them: all from the HTTP contract (types only, erased from the
 * bundle), so a change there shows up here as a type error.
 */
import type {
  CompareResponse,
  Heatmap,
  HistoryItem,
  HistoryResponse,
  ResultResponse,
  StrategiesResponse,
  SubmissionResponse,
  SweepItem,
  SweepResponse,
  SweepResults,
  SymbolsResponse,
  TaskResponse,
  WalkForwardResponse,
} from '../../src/contracts/api';
import type { BacktestRequestInput } from '../../src/contracts/backtestRequest';
import type { SweepMetric, SweepRequestInput } from '../../src/contracts/sweepRequest';
import type { ResultFile } from '../../src/contracts/manifest';
import type { CurveRow, SummaryRow, TradeRow } from '../../src/contracts/resultRows';
import type { SymbolProgress, TaskStatus } from '../../src/contracts/task';

export type { HistoryItem, ResultFile, SummaryRow, SymbolProgress, TaskStatus, TradeRow };
export type CurvePoint = CurveRow;
export type Task = TaskResponse;
export type SubmittedTask = SubmissionResponse;
export type BacktestResult = ResultResponse;
export type HistoryPage = HistoryResponse;
export type BacktestSubmission = BacktestRequestInput;
export type MarketSymbol = SymbolsResponse['symbols'][number];
export type { SweepMetric };
export type Sweep = SweepResponse;
export type SweepHistoryItem = SweepItem;
export type SweepSubmission = SweepRequestInput;
/** A swept parameter as the API takes it: a list of values, or `{ from, to, step }`. */
export type GridEntry = SweepRequestInput['grid'][string];
export type SweepResultsPage = SweepResults;
/** A cell of a sweep's result rows. */
export type SweepCell = SweepResults['rows'][number][string];
export type SweepHeatmap = Heatmap;
export type WalkForward = WalkForwardResponse;
export type BacktestComparison = CompareResponse;
export type ComparedTask = CompareResponse['tasks'][number];

/**
 * One property of a strategy's parameter JSON Schema, as the form reads it (the contract leaves the schema
 * untyped). An optional parameter (`anyOf: [{ type: number }, { type: null }]`) is read as `nullable`.
 */
export interface ParameterSchema {
  type: 'integer' | 'number' | 'boolean' | 'string';
  enum?: string[];
  /** Leaving it empty means "off" (null). */
  nullable?: boolean;
  default?: number | boolean | string | null;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
}

/** A strategy as /api/strategies lists it: built-in or plugin, available or not (then with its error). */
export type StrategyListing = StrategiesResponse['strategies'][number];

export type Strategy = Omit<StrategyListing, 'parameters'> & {
  parameters: { properties: Record<string, ParameterSchema> };
};

/** The history's filters as the form holds them ('' = any). */
export interface HistoryFilters {
  strategy: string;
  status: '' | NonNullable<HistoryItem['status']>;
  symbol: string;
}
