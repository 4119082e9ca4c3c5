/** Compact aligned text tables for the terminal. */
import type { ResultResponse, TaskOutcome, TaskResponse } from './apiClient';

type SummaryRow = ResultResponse['summary'][number];

/** How a missing value (null, undefined, NaN) shows in a table. */
export const MISSING = '—';

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Numbers line up on the right. */
  alignRight?: boolean;
}

/** Header plus one line per row, columns two spaces apart, no trailing spaces. */
export function formatTable<Row>(columns: Column<Row>[], rows: Row[]): string {
  const cells = [columns.map((column) => column.header), ...rows.map((row) => columns.map((column) => column.value(row)))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index].length)));
  return cells
    .map((line) =>
      line
        .map((cell, index) => (columns[index].alignRight ? cell.padStart(widths[index]) : cell.padEnd(widths[index])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A number with fixed decimals; anything else (null, undefined, non-finite, text) as "—". */
export function formatNumber(value: unknown, decimals = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(decimals) : MISSING;
}

export function textOrMissing(value: string | null | undefined): string {
  return value ? value : MISSING;
}

export type SummaryMetric = Exclude<keyof SummaryRow, 'symbol'>;

/** The metrics a summary table shows, with header and decimals (all figures in percent except the ratios and counts). */
const summaryMetricColumns: [header: string, metric: SummaryMetric, decimals: number][] = [
  ['signals', 'total_signals', 0],
  ['win %', 'win_rate', 1],
  ['avg ret %', 'avg_return', 2],
  ['total PnL %', 'total_pnl_pct', 2],
  ['max DD %', 'max_drawdown', 2],
  ['sharpe', 'sharpe', 2],
  ['sortino', 'sortino', 2],
  ['PF', 'profit_factor', 2],
  ['B&H %', 'buy_and_hold_return_pct', 2],
];

/** A numeric column read from the row's field of that name. */
export function numberColumn<Row extends Record<string, unknown>>(header: string, field: string, decimals = 2): Column<Row> {
  return { header, value: (row) => formatNumber(row[field], decimals), alignRight: true };
}

/**
 * The summary metrics of any row that has them under their own names (a symbol's summary, a sweep's result
 * row); with `alsoShow`, that metric too when the table would not show it otherwise.
 */
export function metricColumns<Row extends Record<string, unknown>>(alsoShow?: string): Column<Row>[] {
  const columns = summaryMetricColumns.map(([header, metric, decimals]) => numberColumn<Row>(header, metric, decimals));
  const shown = summaryMetricColumns.some(([, metric]) => metric === alsoShow);
  return alsoShow && !shown ? [numberColumn<Row>(alsoShow, alsoShow), ...columns] : columns;
}

const summaryColumns: Column<SummaryRow>[] = [{ header: 'symbol', value: (row) => row.symbol }, ...metricColumns<SummaryRow>()];

export function formatSummaryTable(summary: SummaryRow[]): string {
  return formatTable(summaryColumns, summary);
}

export const percent = (fraction: number) => `${Math.floor(fraction * 100)}%`;

const symbolStateColumns: Column<TaskResponse['symbols'][number]>[] = [
  { header: 'symbol', value: (entry) => entry.symbol },
  { header: 'state', value: (entry) => entry.state },
  { header: 'progress', value: (entry) => percent(entry.progress), alignRight: true },
  { header: 'error', value: (entry) => textOrMissing(entry.error) },
];

/** Label-value lines with the values aligned. */
export function formatFields(fields: [string, string][]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** Where a task's result lives and how to look at it in Temporal. */
export function formatTaskLinks(status: TaskResponse): string {
  return formatFields([
    ['task', status.task_id],
    ['result', textOrMissing(status.result_path)],
    ['temporal', status.links.temporal_ui],
  ]);
}

/** Everything `show` prints: the task, its symbols' states, the summary when there is one, the links. */
export function formatTaskReport({ status, summary }: TaskOutcome): string {
  const fields: [string, string][] = [
    ['strategy', status.strategy],
    ['symbols', `${status.symbols.length} (${status.timeframe}, ${status.start_date} .. ${status.end_date})`],
    ['status', `${status.status} (${percent(status.progress)})`],
    ['created', textOrMissing(status.created_at)],
    ['finished', textOrMissing(status.finished_at)],
  ];
  if (status.error) fields.push(['error', status.error]);
  const sections = [formatFields(fields), formatTable(symbolStateColumns, status.symbols)];
  if (summary) sections.push(formatSummaryTable(summary));
  sections.push(formatTaskLinks(status));
  return sections.join('\n\n');
}

/** What `run` prints at the end: the failed symbols with their errors, the summary, the links. */
export function formatRunOutcome({ status, summary }: TaskOutcome): string {
  const sections = [`task ${status.status}${status.error ? `: ${status.error}` : ''}`];
  const failed = status.symbols.filter((entry) => entry.state === 'failed');
  if (failed.length > 0) sections.push(formatTable(symbolStateColumns, failed));
  if (summary) sections.push(formatSummaryTable(summary));
  sections.push(formatTaskLinks(status));
  return sections.join('\n\n');
}
