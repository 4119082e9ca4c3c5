import { useState, type MouseEvent } from 'react';
import { api, errorMessage } from '../api';
import { formatTimestamp } from '../format';
import { useAsync } from '../hooks/useAsync';
import type { HistoryFilters, HistoryItem, Strategy, TaskStatus } from '../types';
import { DataTable, type Column } from './DataTable';
import { Pager } from './Pager';

export const HISTORY_PAGE_SIZE = 20;

/** The filters the API takes: only those set. */
function withoutEmpty({ strategy, status, symbol }: HistoryFilters) {
  return { strategy: strategy || undefined, status: status || undefined, symbol: symbol || undefined };
}
/** The statuses the history records (a queued task has no row yet). */
const STATUSES: TaskStatus[] = ['running', 'completed', 'failed', 'cancelled'];
const SYMBOLS_SHOWN = 3;

interface HistoryPanelProps {
  strategies: Strategy[];
  openTaskId: string | null;
  onOpen: (taskId: string | null) => void;
  /** Changes whenever the list may be stale (a task submitted or finished). */
  reloadSignal: number;
}

const symbolsText = (symbols: string[]) =>
  symbols.length <= SYMBOLS_SHOWN ? symbols.join(', ') : `${symbols.slice(0, SYMBOLS_SHOWN).join(', ')} +${symbols.length - SYMBOLS_SHOWN}`;

/** Past and running backtests from the database, newest first, with filters, paging, pin and delete. */
export function HistoryPanel({ strategies, openTaskId, onOpen, reloadSignal }: HistoryPanelProps) {
  const [filters, setFilters] = useState<HistoryFilters>({ strategy: '', status: '', symbol: '' });
  /** The symbol being typed; applied on Enter or leaving the box, since the API takes whole symbols only. */
  const [symbolDraft, setSymbolDraft] = useState('');
  const [offset, setOffset] = useState(0);
  const [localReloads, setLocalReloads] = useState(0);
  const [actionError, setActionError] = useState<string>();
  const page = useAsync(
    () => api.listBacktests({ query: { ...withoutEmpty(filters), limit: HISTORY_PAGE_SIZE, offset } }),
    [filters, offset, reloadSignal, localReloads],
  );

  const changeFilter = (name: keyof HistoryFilters, value: string) => {
    setFilters((current) => (current[name] === value ? current : { ...current, [name]: value }));
    setOffset(0);
  };

  /** A row button's action: never also opens the row; reloads the list afterwards. */
  const rowAction = (action: () => Promise<unknown>) => (event: MouseEvent) => {
    event.stopPropagation();
    setActionError(undefined);
    action()
      .catch((failure: unknown) => setActionError(errorMessage(failure)))
      .finally(() => setLocalReloads((count) => count + 1));
  };

  const remove = async (item: HistoryItem) => {
    if (!window.confirm(`Delete backtest ${item.task_id} (${item.strategy}, ${symbolsText(item.symbols)}) and its result files?`)) return;
    await api.deleteBacktest({ params: { id: item.task_id } });
    if (item.task_id === openTaskId) onOpen(null);
  };

  const columns: Column<HistoryItem>[] = [
    { key: 'created_at', label: 'created (UTC)', render: (item) => formatTimestamp(item.created_at) },
    { key: 'strategy' },
    {
      key: 'symbols',
      render: (item) => (
        <span className="truncate" title={item.symbols.join(', ')}>
          {symbolsText(item.symbols)}
        </span>
      ),
    },
    { key: 'timeframe' },
    { key: 'range', render: (item) => `${item.start_date} → ${item.end_date}` },
    { key: 'status', render: (item) => <span className={`status-badge state-${item.status}`}>{item.status}</span> },
    { key: 'record_count', label: 'records', numeric: true },
    {
      key: 'actions',
      label: '',
      render: (item) => (
        <span className="row-actions">
          <button
            type="button"
            data-testid="pin-toggle"
            onClick={rowAction(() => api.updateBacktest({ params: { id: item.task_id }, body: { pinned: !item.pinned } }))}
          >
            {item.pinned ? 'Unpin' : 'Pin'}
          </button>
          <button type="button" className="danger" data-testid="delete-task" onClick={rowAction(() => remove(item))}>
            Delete
          </button>
        </span>
      ),
    },
  ];

  return (
    <section className="panel history" data-testid="history">
      <div className="section-heading">
        <h2>History</h2>
        <div className="history-filters">
          <select aria-label="strategy filter" value={filters.strategy} onChange={(event) => changeFilter('strategy', event.target.value)}>
            <option value="">All strategies</option>
            {strategies.map((strategy) => (
              <option key={strategy.id} value={strategy.id}>
                {strategy.id}
              </option>
            ))}
          </select>
          <select aria-label="status filter" value={filters.status} onChange={(event) => changeFilter('status', event.target.value)}>
            <option value="">All statuses</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
          <input
            type="search"
            aria-label="symbol filter"
            placeholder="Symbol, Enter"
            value={symbolDraft}
            onChange={(event) => setSymbolDraft(event.target.value.toUpperCase())}
            onKeyDown={(event) => event.key === 'Enter' && changeFilter('symbol', symbolDraft.trim())}
            onBlur={() => changeFilter('symbol', symbolDraft.trim())}
          />
          <button type="button" onClick={() => setLocalReloads((count) => count + 1)}>
            Refresh
          </button>
        </div>
        <Pager testId="history-pager" offset={offset} limit={HISTORY_PAGE_SIZE} total={page.value?.total ?? 0} onOffsetChange={setOffset} />
      </div>
      {(page.error || actionError) && <div className="form-error">{actionError ?? page.error}</div>}
      <DataTable
        testId="history-table"
        rows={page.value?.items ?? []}
        columns={columns}
        rowKey={(item) => item.task_id}
        onRowClick={(item) => onOpen(item.task_id)}
        selectedRowKey={openTaskId}
        emptyText={page.loading ? 'Loading…' : 'No backtests yet.'}
      />
    </section>
  );
}
