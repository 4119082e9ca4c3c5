/** How a sweep reads in the terminal: its progress, its best rows, its walk-forward folds. */
import type { SweepOutcome, SweepResponse, SweepResults } from './apiClient';
import {
  formatFields,
  formatNumber,
  formatSummaryTable,
  formatTable,
  metricColumns,
  MISSING,
  numberColumn,
  percent,
  textOrMissing,
  type Column,
} from './format';

type ResultRow = SweepResults['rows'][number];
type FoldRow = NonNullable<SweepOutcome['walk_forward']>['folds'][number];

/** A parameter's value as given: numbers in full (0.005, not 0.01), booleans and text as they are. */
function formatValue(value: unknown): string {
  return value === null || value === undefined ? MISSING : String(value);
}

/** `breakout_buffer=0.01 volume_window=40` */
export function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${formatValue(value)}`)
    .join(' ');
}

/** 75 -> "1m 15s"; null (not known yet) -> "—". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return MISSING;
  const whole = Math.max(0, Math.round(seconds));
  const [hours, minutes, rest] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return minutes > 0 ? `${minutes}m ${String(rest).padStart(2, '0')}s` : `${rest}s`;
}

/**
 * "sharpe 1.23 at volume_window=40": the best row so far while running, the best combination (the mean over
 * symbols and folds) once completed; null when there is none yet.
 */
function describeBest(status: SweepResponse): string | null {
  if (!status.best) return null;
  return `${status.objective.metric} ${formatNumber(status.best.objective)} at ${formatParams(status.best.params)}`;
}

export function formatBest(status: SweepResponse): string {
  const best = describeBest(status);
  return best ? `best ${best}` : 'no best yet';
}

/** The status, or that no worker has picked the sweep up. */
export function sweepState(status: SweepResponse): string {
  return status.waiting_for_worker ? 'waiting for a worker' : status.status;
}

/** "running 40% (24/60 evaluations), ETA 3s, best ..." (the percentage in tenths: a line per tenth is enough in a log). */
export function formatProgressLine(status: SweepResponse): string {
  const eta = status.status === 'running' && status.eta_seconds !== null ? `, ETA ${formatDuration(status.eta_seconds)}` : '';
  const tenths = Math.floor(status.progress * 10) * 10;
  return `${sweepState(status)} ${tenths}% (${status.evaluated}/${status.evaluations} evaluations)${eta}, ${formatBest(status)}`;
}

/** rank, combo id, the swept parameters, then the figures of the table the rows come from. */
function topColumns(status: SweepResponse, table: SweepResults['table']): Column<ResultRow>[] {
  const metric = status.objective.metric;
  const lead: Column<ResultRow>[] = [
    numberColumn('rank', 'rank', 0),
    numberColumn('combo', 'combo_id', 0),
    ...Object.keys(status.grid).map((name) => ({ header: name, value: (row: ResultRow) => formatValue(row[name]), alignRight: true })),
  ];
  if (table === 'sweep_results') return [...lead, ...metricColumns<ResultRow>(metric)];
  return [
    ...lead,
    numberColumn(`${metric} mean`, 'objective_mean'),
    numberColumn(`${metric} min`, 'objective_min'),
    numberColumn('trades', 'trades_total', 0),
    numberColumn('ranked 1st', 'symbols_ranked_first', 0),
  ];
}

function formatTop(status: SweepResponse, top: SweepResults): string {
  const { metric, direction, min_trades } = status.objective;
  const over =
    top.table === 'sweep_results'
      ? `on ${status.symbols[0]}`
      : `mean over ${status.symbols.length} symbol${status.symbols.length === 1 ? '' : 's'}${status.walk_forward ? ` x ${status.walk_forward.folds} in-sample folds` : ''}`;
  const trades = min_trades > 1 ? `; fewer than ${min_trades} closed trades rank last` : '';
  const heading = `top ${top.rows.length} of ${top.total} combinations by ${metric} (${direction}), ${over}${trades}:`;
  return `${heading}\n${formatTable(topColumns(status, top.table), top.rows)}`;
}

/** A candle's time: "2024-03-01" for daily candles, "2024-03-01 14:00" (UTC) for intraday ones. */
function formatCandleTime(iso: unknown, timeframe: string): string {
  if (typeof iso !== 'string') return MISSING;
  return timeframe === '1d' ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' ');
}

function foldColumns(status: SweepResponse): Column<FoldRow>[] {
  const metric = status.objective.metric;
  /** The first and the last candle of a part. */
  const span = (first: unknown, last: unknown) =>
    `${formatCandleTime(first, status.timeframe)} .. ${formatCandleTime(last, status.timeframe)}`;
  return [
    { header: 'symbol', value: (row) => formatValue(row.symbol) },
    numberColumn('fold', 'fold', 0),
    { header: 'in sample', value: (row) => span(row.in_sample_start, row.in_sample_end) },
    { header: 'out of sample', value: (row) => span(row.out_of_sample_start, row.out_of_sample_end) },
    numberColumn('combo', 'combo_id', 0),
    ...Object.keys(status.grid).map((name) => ({ header: name, value: (row: FoldRow) => formatValue(row[name]), alignRight: true })),
    numberColumn(`IS ${metric}`, 'in_sample_objective'),
    numberColumn(`OOS ${metric}`, 'out_of_sample_objective'),
    numberColumn('IS ret %', 'in_sample_return_pct'),
    numberColumn('OOS ret %', 'out_of_sample_return_pct'),
  ];
}

function describeWalkForward(walkForward: NonNullable<SweepResponse['walk_forward']>): string {
  const { folds, in_sample_pct: inSample, anchored } = walkForward;
  return `${folds} fold${folds === 1 ? '' : 's'}, ${inSample}% in sample, ${anchored ? 'anchored' : 'rolling'}`;
}

function formatWalkForward(status: SweepResponse, walkForward: NonNullable<SweepOutcome['walk_forward']>): string {
  return [
    `walk-forward (${describeWalkForward(status.walk_forward!)}): the best in-sample combination of each fold, run out of sample`,
    formatTable(foldColumns(status), walkForward.folds),
    `walk-forward efficiency: ${formatNumber(walkForward.efficiency)} (mean over folds of annualised out-of-sample / in-sample return)`,
    `the stitched out-of-sample curve:\n${formatSummaryTable(walkForward.stitched)}`,
  ].join('\n\n');
}

/** The best rows, the walk-forward figures and the materialized backtests, as far as there are any. */
function resultSections({ status, top, walk_forward: walkForward }: SweepOutcome): string[] {
  const sections: string[] = [];
  if (top) sections.push(formatTop(status, top));
  if (walkForward) sections.push(formatWalkForward(status, walkForward));
  if (status.materialized_tasks.length > 0) {
    const tasks = status.materialized_tasks.map((taskId) => `  ${taskId}`);
    sections.push(['the best combinations as backtests (backtest show <task_id>):', ...tasks].join('\n'));
  }
  return sections;
}

function formatSweepLinks(status: SweepResponse): string {
  return formatFields([
    ['sweep', status.sweep_id],
    ['result', textOrMissing(status.result_path)],
    ['temporal', status.links.temporal_ui],
  ]);
}

/** What `sweep` prints at the end: how it ended, the best rows, walk-forward, materialized tasks, links. */
export function formatSweepOutcome(outcome: SweepOutcome): string {
  const { status } = outcome;
  return [`sweep ${status.status}${status.error ? `: ${status.error}` : ''}`, ...resultSections(outcome), formatSweepLinks(status)].join(
    '\n\n',
  );
}

function describeSearch(status: SweepResponse): string {
  const grid = Object.entries(status.grid)
    .map(([name, values]) => `${name} (${values.length})`)
    .join(' x ');
  const search =
    status.search.method === 'random'
      ? `random: ${status.search.samples} combinations drawn with seed ${status.search.seed}`
      : `grid: all ${status.combinations} combinations`;
  return `${grid}; ${search}`;
}

const symbolProgressColumns: Column<SweepResponse['symbol_progress'][number]>[] = [
  { header: 'symbol', value: (entry) => entry.symbol },
  { header: 'evaluated', value: (entry) => `${entry.evaluated}/${entry.total}`, alignRight: true },
  { header: 'progress', value: (entry) => percent(entry.total === 0 ? 0 : entry.evaluated / entry.total), alignRight: true },
];

/** Everything `sweeps show` prints: the request, the state, per-symbol progress while running, the results once completed. */
export function formatSweepReport(outcome: SweepOutcome): string {
  const { status } = outcome;
  const { metric, direction, min_trades } = status.objective;
  const running = status.status === 'queued' || status.status === 'running';
  const progress = `${percent(status.progress)}, ${status.evaluated}/${status.evaluations} evaluations`;
  const fields: [string, string][] = [
    ['strategy', status.strategy],
    ['symbols', `${status.symbols.length} (${status.timeframe}, ${status.start_date} .. ${status.end_date})`],
    ['swept', describeSearch(status)],
    ['fixed', formatParams(status.params)],
    ['objective', `${metric} (${direction}), at least ${min_trades} closed trade${min_trades === 1 ? '' : 's'} to rank first`],
  ];
  if (status.walk_forward) fields.push(['walk-forward', describeWalkForward(status.walk_forward)]);
  fields.push(['status', `${sweepState(status)} (${progress}${running ? `, ETA ${formatDuration(status.eta_seconds)}` : ''})`]);
  fields.push(['best', describeBest(status) ?? MISSING]);
  fields.push(['created', textOrMissing(status.created_at)], ['finished', textOrMissing(status.finished_at)]);
  fields.push(['pinned', status.pinned ? 'yes' : 'no']);
  if (status.error) fields.push(['error', status.error]);
  const sections = [formatFields(fields)];
  if (running) sections.push(formatTable(symbolProgressColumns, status.symbol_progress));
  return [...sections, ...resultSections(outcome), formatSweepLinks(status)].join('\n\n');
}
