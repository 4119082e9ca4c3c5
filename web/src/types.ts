/**
 * The API's JSON shapes, as the page reads them. Shapes the server declares are imported from it
 * (types only, erased from the bundle), so a change there shows up here as a type error.
 */
import type { SymbolProgress, TaskStatus } from '../../src/contracts/task';
import type { PerformanceCurveRow, SymbolSignalRow, SymbolSummaryRow } from '../../src/storage/resultTables';

export type { SymbolProgress, TaskStatus };
export type TradeRow = SymbolSignalRow;
export type CurvePoint = PerformanceCurveRow;
export type SummaryRow = SymbolSummaryRow;

export interface ParameterSchema {
  type: 'integer' | 'number' | 'boolean';
  default?: number | boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
}

export interface Strategy {
  id: string;
  description: string;
  parameters: { properties: Record<string, ParameterSchema> };
}

export interface TimeframeRange {
  timeframe: string;
  start_date: string;
  end_date: string;
  candles: number;
}

export interface MarketSymbol {
  symbol: string;
  timeframes: TimeframeRange[];
}

export interface BacktestSubmission {
  strategy: string;
  params: Record<string, number | boolean>;
  symbols: string[];
  start_date: string;
  end_date: string;
  timeframe: string;
}

export interface TaskLinks {
  self: string;
  result: string;
  temporal_ui: string;
}

export interface SubmittedTask {
  task_id: string;
  status: 'queued';
  links: TaskLinks;
}

export interface Task {
  task_id: string;
  strategy: string;
  timeframe: string;
  start_date: string;
  end_date: string;
  status: TaskStatus;
  progress: number;
  symbols: SymbolProgress[];
  created_at: string | null;
  finished_at: string | null;
  result_path: string | null;
  error: string | null;
  pinned: boolean;
  links: TaskLinks;
}

export interface ResultFile {
  name: string;
  path: string;
  size_bytes: number;
  checksum: string;
}

export interface BacktestResult {
  task_id: string;
  status: string;
  result_path: string;
  manifest: { result_files: ResultFile[]; params: Record<string, unknown> };
  summary: SummaryRow[];
  trades: { rows: TradeRow[]; total: number };
  equity_curve: CurvePoint[];
}

export interface HistoryItem {
  task_id: string;
  strategy: string;
  symbols: string[];
  start_date: string;
  end_date: string;
  timeframe: string;
  status: TaskStatus;
  created_at: string;
  updated_at: string;
  pinned: boolean;
  record_count: number;
}

export interface HistoryPage {
  items: HistoryItem[];
  total: number;
  limit: number;
  offset: number;
}

export interface HistoryFilters {
  strategy: string;
  status: string;
  symbol: string;
}
