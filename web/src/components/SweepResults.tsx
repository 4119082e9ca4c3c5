import { useState, type ReactNode } from 'react';
import { api } from '../api';
import { useAction } from '../hooks/useAction';
import { useAsync } from '../hooks/useAsync';
import type { Sweep, SweepCell } from '../types';
import { DataTable, type Column, type SortOrder } from './DataTable';
import { Pager } from './Pager';
import { METRIC_LABELS } from './ResultView';
import { ALL_SYMBOLS, FoldSelect } from './SweepSlices';
import { SymbolSelect } from './SymbolSelect';

export const RESULTS_PAGE_SIZE = 25;

type ResultRow = Record<string, SweepCell>;

/** The API's default order: by rank, best first. */
const BY_RANK: SortOrder = { key: 'rank', descending: false };

function columnLabel(sweep: Sweep, key: string): string | undefined {
  const metric = sweep.objective.metric;
  const labels: Record<string, string> = {
    combo_id: 'combo #',
    objective_mean: `mean ${metric}`,
    objective_min: `min ${metric}`,
    trades_total: 'trades',
    symbols_ranked_first: 'ranked 1st',
  };
  return labels[key] ?? METRIC_LABELS[key];
}

/** Rank, combination and its parameters first (the parameters marked), then the metrics in the API's order. */
function resultColumns(sweep: Sweep, columns: string[], symbol: string, runButton: (row: ResultRow) => ReactNode): Column<ResultRow>[] {
  const swept = Object.keys(sweep.grid);
  const leading = ['rank', 'combo_id', ...swept].filter((key) => columns.includes(key));
  const hidden = new Set([...leading, ...(symbol === ALL_SYMBOLS ? [] : ['symbol']), ...(sweep.walk_forward ? [] : ['fold'])]);
  const numericParameter = (key: string) => sweep.grid[key]?.every((value) => typeof value === 'number') ?? true;
  return [
    { key: 'run', label: '', sortable: false, render: runButton },
    ...leading.map((key) => ({
      key,
      label: columnLabel(sweep, key),
      numeric: numericParameter(key),
      className: swept.includes(key) ? 'param-column' : undefined,
    })),
    ...columns.filter((key) => !hidden.has(key)).map((key) => ({ key, label: columnLabel(sweep, key), numeric: key !== 'symbol' })),
  ];
}

/** The fixed parameters with the row's swept ones. */
const paramsOfRow = (sweep: Sweep, row: ResultRow) => ({
  ...sweep.params,
  ...Object.fromEntries(Object.keys(sweep.grid).map((name) => [name, row[name]])),
});

/**
 * The sweep's rows, sorted and paged by the server: one per combination (combo_summary) or one symbol's
 * (sweep_results), optionally only those with enough trades; any row runs again as an ordinary backtest.
 */
export function SweepResults({ sweep, onOpenTask }: { sweep: Sweep; onOpenTask: (taskId: string) => void }) {
  const [symbol, setSymbol] = useState(ALL_SYMBOLS);
  const [fold, setFold] = useState<number>();
  const [minTrades, setMinTrades] = useState('');
  const [sortOrder, setSortOrder] = useState<SortOrder>(BY_RANK);
  const [offset, setOffset] = useState(0);
  const [runningRow, setRunningRow] = useState<string>();
  const submission = useAction();
  const page = useAsync(
    () =>
      api.getSweepResults({
        params: { id: sweep.sweep_id },
        query: {
          symbol,
          fold: symbol === ALL_SYMBOLS ? undefined : fold,
          sort: sortOrder.key,
          order: sortOrder.descending ? 'desc' : 'asc',
          min_trades: minTrades === '' ? undefined : Number(minTrades),
          limit: RESULTS_PAGE_SIZE,
          offset,
        },
      }),
    [sweep.sweep_id, symbol, fold, sortOrder, minTrades, offset],
  );
  /** Any change of what is shown starts again at the first page. */
  const fromFirstPage =
    <Value,>(set: (value: Value) => void) =>
    (value: Value) => {
      set(value);
      setOffset(0);
    };

  /** combo_summary and sweep_results have different columns: another table starts in its default order. */
  const chooseSymbol = (next: string) => {
    if ((next === ALL_SYMBOLS) !== (symbol === ALL_SYMBOLS)) setSortOrder(BY_RANK);
    fromFirstPage(setSymbol)(next);
  };
  const rowKey = (row: ResultRow) => (symbol === ALL_SYMBOLS ? String(row.combo_id) : `${row.symbol}:${row.fold ?? ''}:${row.combo_id}`);
  const runAsBacktest = (row: ResultRow) => {
    setRunningRow(rowKey(row));
    return submission.run(async () => {
      const submitted = await api.submitBacktest({
        body: {
          strategy: sweep.strategy,
          symbols: symbol === ALL_SYMBOLS ? sweep.symbols : [String(row.symbol)],
          start_date: sweep.start_date,
          end_date: sweep.end_date,
          timeframe: sweep.timeframe as never,
          params: paramsOfRow(sweep, row),
        },
      });
      onOpenTask(submitted.task_id);
    });
  };
  const runButton = (row: ResultRow) => (
    <button
      type="button"
      className="run-row"
      data-testid="run-as-backtest"
      disabled={submission.running}
      title={`Run these parameters as an ordinary backtest on ${symbol === ALL_SYMBOLS ? 'every symbol of the sweep' : row.symbol}`}
      onClick={() => runAsBacktest(row)}
    >
      {submission.running && runningRow === rowKey(row) ? 'Starting…' : 'Run ▸'}
    </button>
  );

  const result = page.value;
  return (
    <section className="result-section" data-testid="sweep-results">
      <div className="section-heading">
        <h3>{symbol === ALL_SYMBOLS ? 'Combinations, ranked over all symbols' : `${symbol}: one row per combination`}</h3>
        <div className="section-controls">
          <SymbolSelect
            symbols={sweep.symbols}
            value={symbol}
            onChange={chooseSymbol}
            allOption={{ value: ALL_SYMBOLS, label: 'all (per combination)' }}
            testId="results-symbol"
          />
          {symbol !== ALL_SYMBOLS && <FoldSelect sweep={sweep} value={fold} onChange={fromFirstPage(setFold)} testId="results-fold" />}
          <label>
            Min trades{' '}
            <input
              type="number"
              min={0}
              step={1}
              className="narrow-number"
              placeholder="any"
              value={minTrades}
              onChange={(event) => fromFirstPage(setMinTrades)(event.target.value)}
              data-testid="results-min-trades"
            />
          </label>
          <Pager testId="results-pager" offset={offset} limit={RESULTS_PAGE_SIZE} total={result?.total ?? 0} onOffsetChange={setOffset} />
        </div>
      </div>
      {(page.error || submission.error) && <div className="form-error">{submission.error ?? page.error}</div>}
      <DataTable
        testId="sweep-results-table"
        rows={result?.rows ?? []}
        columns={result ? resultColumns(sweep, result.columns, symbol, runButton) : []}
        rowKey={rowKey}
        sortOrder={sortOrder}
        onSortOrderChange={fromFirstPage(setSortOrder)}
        emptyText={page.loading ? 'Loading results…' : 'No rows.'}
      />
    </section>
  );
}
