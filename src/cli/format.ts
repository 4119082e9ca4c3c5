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

/** A number with fixed decimals; null, undefined and non-finite values as "—". */
export function formatNumber(value: number | null | undefined, decimals = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(decimals) : MISSING;
}

export function textOrMissing(value: string | null | undefined): string {
  return value ? value : MISSING;
}

const numberColumn = (header: string, value: (row: SummaryRow) => number | null, decimals = 2): Column<SummaryRow> => ({
  header,
  value: (row) => formatNumber(value(row), decimals),
  alignRight: true,
});

/** The per-symbol summary of a result (all figures in percent except the ratios and counts). */
const summaryColumns: Column<SummaryRow>[] = [
  { header: 'symbol', value: (row) => row.symbol },
  numberColumn('signals', (row) => row.total_signals, 0),
  numberColumn('win %', (row) => row.win_rate, 1),
  numberColumn('avg ret %', (row) => row.avg_return),
  numberColumn('total PnL %', (row) => row.total_pnl_pct),
  numberColumn('max DD %', (row) => row.max_drawdown),
  numberColumn('sharpe', (row) => row.sharpe),
  numberColumn('sortino', (row) => row.sortino),
  numberColumn('PF', (row) => row.profit_factor),
  numberColumn('B&H %', (row) => row.buy_and_hold_return_pct),
];

export function formatSummaryTable(summary: SummaryRow[]): string {
  return formatTable(summaryColumns, summary);
}

const percent = (fraction: number) => `${Math.floor(fraction * 100)}%`;

const symbolStateColumns: Column<TaskResponse['symbols'][number]>[] = [
  { header: 'symbol', value: (entry) => entry.symbol },
  { header: 'state', value: (entry) => entry.state },
  { header: 'progress', value: (entry) => percent(entry.progress), alignRight: true },
  { header: 'error', value: (entry) => textOrMissing(entry.error) },
];

/** Label-value lines with the values aligned. */
function formatFields(fields: [string, string][]): string {
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
