/** The commands besides `run`: each calls the API, prints, and returns its exit code. */
import type { ApiClient, HistoryItem, ParameterSchema, SymbolsResponse, TaskOutcome, TaskResponse } from './apiClient';
import { ExitCode } from './exitCodes';
import { formatNumber, formatTable, formatTaskReport, MISSING, textOrMissing, type Column } from './format';

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** 0 unless the task or sweep ended failed or cancelled. */
export function outcomeExitCode(status: { status: string }): number {
  return status.status === 'failed' || status.status === 'cancelled' ? ExitCode.taskUnsuccessful : ExitCode.success;
}

/**
 * The status plus the summary when there is a result (one trade requested: only the summary is shown).
 * Between the workflow reporting `completed` and closing, the status has no result_path yet although
 * the result is in place, so a completed task's result is always asked for and its path taken from there.
 */
export async function readOutcome(client: ApiClient, status: TaskResponse): Promise<TaskOutcome> {
  if (status.status !== 'completed' && !status.result_path) return { status, summary: null };
  const result = await client.getBacktestResult({ params: { id: status.task_id }, query: { trades_limit: 1 } });
  return { status: { ...status, result_path: result.result_path }, summary: result.summary };
}

export async function showTask(client: ApiClient, taskId: string, options: { json?: boolean }): Promise<number> {
  const outcome = await readOutcome(client, await client.getBacktest({ params: { id: taskId } }));
  if (options.json) printJson(outcome);
  else console.log(formatTaskReport(outcome));
  return outcomeExitCode(outcome.status);
}

/** What cancel, pin, unpin and delete need of one kind of run: tasks or sweeps. */
export interface RunKind {
  noun: 'task' | 'sweep';
  /** The command that shows one: `backtest show`, `backtest sweeps show`. */
  showCommand: string;
  /** Each answers with the id as the API normalised it. */
  cancel(client: ApiClient, id: string): Promise<{ id: string; status: string }>;
  setPinned(client: ApiClient, id: string, pinned: boolean): Promise<{ id: string }>;
  remove(client: ApiClient, id: string): Promise<void>;
}

export const taskKind: RunKind = {
  noun: 'task',
  showCommand: 'backtest show',
  cancel: async (client, id) => {
    const answer = await client.cancelBacktest({ params: { id } });
    return { id: answer.task_id, status: answer.status };
  },
  setPinned: async (client, id, pinned) => ({ id: (await client.updateBacktest({ params: { id }, body: { pinned } })).task_id }),
  remove: async (client, id) => {
    await client.deleteBacktest({ params: { id } });
  },
};

export async function cancelRun(client: ApiClient, kind: RunKind, id: string): Promise<number> {
  const answer = await kind.cancel(client, id);
  console.log(`${kind.noun} ${answer.id} ${answer.status}; follow it with: ${kind.showCommand} ${answer.id}`);
  return ExitCode.success;
}

export async function setRunPinned(client: ApiClient, kind: RunKind, id: string, pinned: boolean): Promise<number> {
  const answer = await kind.setPinned(client, id, pinned);
  console.log(`${kind.noun} ${answer.id} ${pinned ? 'pinned: cleanup keeps it' : 'unpinned: it expires with its TTL'}`);
  return ExitCode.success;
}

export async function deleteRun(client: ApiClient, kind: RunKind, id: string): Promise<number> {
  await kind.remove(client, id);
  console.log(`${kind.noun} ${id} deleted: its result files and row are gone`);
  return ExitCode.success;
}

export interface ListOptions {
  status?: 'running' | 'completed' | 'failed' | 'cancelled';
  strategy?: string;
  symbol?: string;
  limit?: string;
  json?: boolean;
}

/** What the history of tasks and the list of sweeps have in common. */
interface ListedRun {
  status: string;
  strategy: string;
  symbols: string[];
  timeframe: string | null;
  start_date: string;
  end_date: string;
  created_at: string;
  pinned: boolean;
}

/** The columns of a listed task or sweep after its id: what ran, and when. */
export const listedRunColumns: Column<ListedRun>[] = [
  { header: 'status', value: (run) => run.status },
  { header: 'strategy', value: (run) => run.strategy },
  { header: 'symbols', value: (run) => abbreviateList(run.symbols, 3) },
  { header: 'tf', value: (run) => textOrMissing(run.timeframe) },
  { header: 'range', value: (run) => `${run.start_date} .. ${run.end_date}` },
  { header: 'created', value: (run) => run.created_at },
  { header: 'pinned', value: (run) => (run.pinned ? 'yes' : MISSING) },
];

const taskColumns: Column<HistoryItem>[] = [{ header: 'task', value: (task) => task.task_id }, ...listedRunColumns];

function abbreviateList(items: string[], shown: number): string {
  return items.length <= shown ? items.join(',') : `${items.slice(0, shown).join(',')} +${items.length - shown}`;
}

/** A page of a list: as JSON, or as a table with how many of all are shown. */
export function printList<Item>(
  body: { items: Item[]; total: number },
  columns: Column<Item>[],
  options: { json?: boolean; what: string },
) {
  if (options.json) {
    printJson(body);
  } else if (body.items.length === 0) {
    console.log(`no ${options.what} match`);
  } else {
    console.log(formatTable(columns, body.items));
    console.log(`\n${body.items.length} of ${body.total}`);
  }
}

export async function listTasks(client: ApiClient, options: ListOptions): Promise<number> {
  const { json, ...filters } = options;
  printList(await client.listBacktests({ query: filters }), taskColumns, { json, what: 'tasks' });
  return ExitCode.success;
}

/** "2 .. 10000", "> 0 .. 1", "one of a, b". */
function formatRange(schema: ParameterSchema): string {
  if (schema.enum) return `one of ${schema.enum.join(', ')}`;
  const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : undefined);
  const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? `< ${schema.exclusiveMaximum}` : undefined);
  if (low === undefined && high === undefined) return MISSING;
  return `${low ?? ''} .. ${high ?? ''}`.trim();
}

const parameterColumns: Column<[string, ParameterSchema]>[] = [
  { header: 'parameter', value: ([name]) => name },
  { header: 'type', value: ([, schema]) => textOrMissing(schema.type) },
  { header: 'default', value: ([, schema]) => (schema.default === undefined ? MISSING : String(schema.default)), alignRight: true },
  { header: 'range', value: ([, schema]) => formatRange(schema) },
  { header: 'description', value: ([, schema]) => textOrMissing(schema.description) },
];

export async function listStrategies(client: ApiClient, options: { json?: boolean }): Promise<number> {
  const body = await client.listStrategies();
  if (options.json) {
    printJson(body);
    return ExitCode.success;
  }
  const sections = body.strategies.map((strategy) => {
    const origin = `${strategy.source}${strategy.file ? ` ${strategy.file}` : ''}, version ${strategy.version ?? MISSING}`;
    if (!strategy.available) return [`${strategy.id} (${origin}): UNAVAILABLE`, `  ${strategy.error}`].join('\n');
    const properties = (strategy.parameters.properties ?? {}) as Record<string, ParameterSchema>;
    return [`${strategy.id} (${origin})`, `  ${strategy.description}`, '', formatTable(parameterColumns, Object.entries(properties))].join(
      '\n',
    );
  });
  console.log(sections.join('\n\n'));
  return ExitCode.success;
}

type SymbolCoverage = { symbol: string } & SymbolsResponse['symbols'][number]['timeframes'][number];

const coverageColumns: Column<SymbolCoverage>[] = [
  { header: 'symbol', value: (row) => row.symbol },
  { header: 'timeframe', value: (row) => row.timeframe },
  { header: 'from', value: (row) => textOrMissing(row.start_date) },
  { header: 'to', value: (row) => textOrMissing(row.end_date) },
  { header: 'candles', value: (row) => formatNumber(row.candles, 0), alignRight: true },
];

const damagedFilesColumn: Column<SymbolCoverage> = {
  header: 'damaged files',
  value: (row) => (row.problems.length > 0 ? row.problems.map((problem) => problem.file).join(', ') : MISSING),
};

export async function listSymbols(client: ApiClient, options: { json?: boolean }): Promise<number> {
  const body = await client.listMarketData();
  if (options.json) {
    printJson(body);
  } else if (body.symbols.length === 0) {
    console.log('no market data; npm start generates sample data, scripts/import-csv.ts imports your own');
  } else {
    const rows = body.symbols.flatMap((entry) => entry.timeframes.map((coverage) => ({ symbol: entry.symbol, ...coverage })));
    const damaged = rows.some((row) => row.problems.length > 0);
    console.log(formatTable(damaged ? [...coverageColumns, damagedFilesColumn] : coverageColumns, rows));
    if (damaged) console.log('\ndamaged files cannot be read; a backtest whose range needs one is refused');
  }
  return ExitCode.success;
}
