import { useState, type MouseEvent, type ReactNode } from 'react';
import { errorMessage } from '../api';
import { formatTimestamp } from '../format';
import { useAsync, type AsyncState } from '../hooks/useAsync';
import type { HistoryFilters, Strategy, TaskStatus } from '../types';
import { DataTable, type Column } from './DataTable';
import { Pager } from './Pager';

/** What the backtest and the sweep histories share: filters, paging, reloads, and row buttons that report their errors. */
const HISTORY_PAGE_SIZE = 20;
const SYMBOLS_SHOWN = 3;

export const symbolsText = (symbols: string[]) =>
  symbols.length <= SYMBOLS_SHOWN ? symbols.join(', ') : `${symbols.slice(0, SYMBOLS_SHOWN).join(', ')} +${symbols.length - SYMBOLS_SHOWN}`;

/** What a row of either history says about its run. */
interface ListedRun {
  created_at: string;
  strategy: string;
  symbols: string[];
  timeframe: string | null;
  start_date: string;
  end_date: string;
  status: TaskStatus;
}

/**
 * The columns both histories start with: when, what (strategy over symbols, timeframe and range, on two lines
 * so that the list fits beside the form in a 1280-pixel window), and the status.
 */
export function runColumns<Item extends ListedRun>(): Column<Item>[] {
  return [
    { key: 'created_at', label: 'created (UTC)', render: (item) => formatTimestamp(item.created_at) },
    {
      key: 'run',
      label: 'strategy · symbols · range',
      render: (item) => (
        <span className="run-summary" title={item.symbols.join(', ')}>
          <span>{item.strategy}</span>
          <span className="hint">
            {symbolsText(item.symbols)} · {item.timeframe} · {item.start_date} → {item.end_date}
          </span>
        </span>
      ),
    },
    { key: 'status', render: (item) => <span className={`status-badge state-${item.status}`}>{item.status}</span> },
  ];
}

/** The filters the API takes: only those set. */
function withoutEmpty({ strategy, status, symbol }: HistoryFilters) {
  return { strategy: strategy || undefined, status: status || undefined, symbol: symbol || undefined };
}

type ListQuery = ReturnType<typeof withoutEmpty> & { limit: number; offset: number };

export interface HistoryList<Page> {
  filters: HistoryFilters;
  changeFilter: (name: keyof HistoryFilters, value: string) => void;
  offset: number;
  setOffset: (offset: number) => void;
  page: AsyncState<Page>;
  reload: () => void;
  actionError: string | undefined;
  /** A row button's handler: never also opens the row; reloads the list afterwards. */
  rowAction: (action: () => Promise<unknown>) => (event: MouseEvent) => void;
}

/** A page of a history, newest first, reloaded whenever `reloadSignal` changes (something submitted or finished). */
export function useHistoryList<Page>(load: (query: ListQuery) => Promise<Page>, reloadSignal: number): HistoryList<Page> {
  const [filters, setFilters] = useState<HistoryFilters>({ strategy: '', status: '', symbol: '' });
  const [offset, setOffset] = useState(0);
  const [localReloads, setLocalReloads] = useState(0);
  const [actionError, setActionError] = useState<string>();
  const page = useAsync(
    () => load({ ...withoutEmpty(filters), limit: HISTORY_PAGE_SIZE, offset }),
    [filters, offset, reloadSignal, localReloads],
  );
  const reload = () => setLocalReloads((count) => count + 1);
  return {
    filters,
    changeFilter: (name, value) => {
      setFilters((current) => (current[name] === value ? current : { ...current, [name]: value }));
      setOffset(0);
    },
    offset,
    setOffset,
    page,
    reload,
    actionError,
    rowAction: (action) => (event) => {
      event.stopPropagation();
      setActionError(undefined);
      action()
        .catch((failure: unknown) => setActionError(errorMessage(failure)))
        .finally(reload);
    },
  };
}

/** The statuses a history records (a queued task has no row yet). */
const STATUSES: TaskStatus[] = ['running', 'completed', 'failed', 'cancelled'];

/** Strategy, status and symbol filters, and Refresh. */
export function HistoryFilterBar({ strategies, list }: { strategies: Strategy[]; list: HistoryList<unknown> }) {
  /** The symbol being typed; applied on Enter or leaving the box, since the API takes whole symbols only. */
  const [symbolDraft, setSymbolDraft] = useState('');
  const { filters, changeFilter } = list;
  return (
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
      <button type="button" onClick={list.reload}>
        Refresh
      </button>
    </div>
  );
}

/** Pin or unpin, and delete, a row of a history. */
export function actionsColumn<Item extends { pinned: boolean }>(
  list: HistoryList<unknown>,
  actions: { setPinned: (item: Item, pinned: boolean) => Promise<unknown>; remove: (item: Item) => Promise<unknown>; deleteTestId: string },
): Column<Item> {
  return {
    key: 'actions',
    label: '',
    render: (item) => (
      <span className="row-actions">
        <button type="button" data-testid="pin-toggle" onClick={list.rowAction(() => actions.setPinned(item, !item.pinned))}>
          {item.pinned ? 'Unpin' : 'Pin'}
        </button>
        <button type="button" className="danger" data-testid={actions.deleteTestId} onClick={list.rowAction(() => actions.remove(item))}>
          Delete
        </button>
      </span>
    ),
  };
}

interface HistorySectionProps<Item> {
  title: string;
  /** `history` -> `history-table`, `history-pager`. */
  testId: string;
  strategies: Strategy[];
  list: HistoryList<{ items: Item[]; total: number }>;
  columns: Column<Item>[];
  rowKey: (item: Item) => string;
  openId: string | null;
  onOpen: (id: string) => void;
  emptyText: string;
  /** More buttons beside the filters. */
  tools?: ReactNode;
}

/** A history panel: heading, filters, pager, the errors of its buttons, and the table whose rows open what they list. */
export function HistorySection<Item>({
  title,
  testId,
  strategies,
  list,
  columns,
  rowKey,
  openId,
  onOpen,
  emptyText,
  tools,
}: HistorySectionProps<Item>) {
  const { page } = list;
  return (
    <section className="panel history" data-testid={testId}>
      <div className="section-heading">
        <h2>{title}</h2>
        <HistoryFilterBar strategies={strategies} list={list} />
        {tools}
        <Pager
          testId={`${testId}-pager`}
          offset={list.offset}
          limit={HISTORY_PAGE_SIZE}
          total={page.value?.total ?? 0}
          onOffsetChange={list.setOffset}
        />
      </div>
      {(page.error || list.actionError) && <div className="form-error">{list.actionError ?? page.error}</div>}
      <DataTable
        testId={`${testId}-table`}
        rows={page.value?.items ?? []}
        columns={columns}
        rowKey={rowKey}
        onRowClick={(item) => onOpen(rowKey(item))}
        selectedRowKey={openId}
        emptyText={page.loading ? 'Loading…' : emptyText}
      />
    </section>
  );
}
