/** `backtest sweeps list|show|cancel|pin|unpin|delete`: each calls the API, prints, and returns its exit code. */
import type { ApiClient, SweepItem, SweepOutcome, SweepResponse } from './apiClient';
import { listedRunColumns, outcomeExitCode, printJson, printList, type RunKind } from './commands';
import { ExitCode } from './exitCodes';
import { formatNumber, MISSING, type Column } from './format';
import { formatSweepReport } from './sweepFormat';

/** Rows of the best-rows table. */
const TOP_ROWS = 10;

/**
 * The status plus, once completed, the ten best rows (the combinations ranked over all symbols, or the one
 * symbol's rows with all their metrics when there is one symbol and no walk-forward) and the walk-forward figures.
 */
export async function readSweepOutcome(client: ApiClient, status: SweepResponse): Promise<SweepOutcome> {
  if (status.status !== 'completed') return { status, top: null, walk_forward: null };
  const id = status.sweep_id;
  const perSymbol = status.symbols.length === 1 && !status.walk_forward;
  const top = await client.getSweepResults({ params: { id }, query: { symbol: perSymbol ? status.symbols[0] : 'all', limit: TOP_ROWS } });
  if (!status.walk_forward) return { status, top, walk_forward: null };
  // the stitched curve is for charts: two points are the fewest the route serves
  const { curve: _curve, ...walkForward } = await client.getSweepWalkForward({ params: { id }, query: { max_points: 2 } });
  return { status, top, walk_forward: walkForward };
}

export async function showSweep(client: ApiClient, sweepId: string, options: { json?: boolean }): Promise<number> {
  const outcome = await readSweepOutcome(client, await client.getSweep({ params: { id: sweepId } }));
  if (options.json) printJson(outcome);
  else console.log(formatSweepReport(outcome));
  return outcomeExitCode(outcome.status);
}

export interface SweepListOptions {
  status?: SweepItem['status'];
  strategy?: string;
  symbol?: string;
  limit?: string;
  json?: boolean;
}

const sweepColumns: Column<SweepItem>[] = [
  { header: 'sweep', value: (sweep) => sweep.sweep_id },
  ...listedRunColumns,
  { header: 'combos', value: (sweep) => String(sweep.combinations), alignRight: true },
  { header: 'best', value: (sweep) => (sweep.best ? `${formatNumber(sweep.best.objective)} (combo ${sweep.best.combo_id})` : MISSING) },
];

export async function listSweeps(client: ApiClient, options: SweepListOptions): Promise<number> {
  const { json, ...filters } = options;
  printList(await client.listSweeps({ query: filters }), sweepColumns, { json, what: 'sweeps' });
  return ExitCode.success;
}

export const sweepKind: RunKind = {
  noun: 'sweep',
  showCommand: 'backtest sweeps show',
  cancel: async (client, id) => {
    const answer = await client.cancelSweep({ params: { id } });
    return { id: answer.sweep_id, status: answer.status };
  },
  setPinned: async (client, id, pinned) => ({ id: (await client.updateSweep({ params: { id }, body: { pinned } })).sweep_id }),
  remove: async (client, id) => {
    await client.deleteSweep({ params: { id } });
  },
};
