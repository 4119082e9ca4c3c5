import { useState } from 'react';
import { api } from '../api';
import type { HistoryItem, Strategy } from '../types';
import type { Column } from './DataTable';
import { actionsColumn, HistorySection, runColumns, symbolsText, useHistoryList } from './HistoryList';

/** GET /api/backtests/compare takes 2 to 4 finished tasks. */
const COMPARE_MIN = 2;
const COMPARE_MAX = 4;

interface HistoryPanelProps {
  strategies: Strategy[];
  openTaskId: string | null;
  onOpen: (taskId: string | null) => void;
  /** Opens the compare view of the ticked tasks. */
  onCompare: (taskIds: string[]) => void;
  /** Changes whenever the list may be stale (a task submitted or finished). */
  reloadSignal: number;
}

/** Past and running backtests from the database, newest first, with filters, paging, pin, delete, and ticks to compare. */
export function HistoryPanel({ strategies, openTaskId, onOpen, onCompare, reloadSignal }: HistoryPanelProps) {
  const list = useHistoryList((query) => api.listBacktests({ query }), reloadSignal);
  /** Ticked for comparison, kept across pages and filters. */
  const [ticked, setTicked] = useState<string[]>([]);

  const remove = async (item: HistoryItem) => {
    if (!window.confirm(`Delete backtest ${item.task_id} (${item.strategy}, ${symbolsText(item.symbols)}) and its result files?`)) return;
    await api.deleteBacktest({ params: { id: item.task_id } });
    setTicked((current) => current.filter((taskId) => taskId !== item.task_id));
    if (item.task_id === openTaskId) onOpen(null);
  };
  const tick = (taskId: string, on: boolean) =>
    setTicked((current) => (on ? [...current, taskId] : current.filter((existing) => existing !== taskId)));

  const columns: Column<HistoryItem>[] = [
    {
      key: 'compare',
      label: '',
      render: (item) => (
        <input
          type="checkbox"
          aria-label={`compare ${item.task_id}`}
          data-testid="compare-tick"
          title={
            item.status === 'completed'
              ? `Tick ${COMPARE_MIN} to ${COMPARE_MAX} finished backtests to compare them`
              : 'Only completed backtests can be compared'
          }
          checked={ticked.includes(item.task_id)}
          disabled={item.status !== 'completed' || (!ticked.includes(item.task_id) && ticked.length >= COMPARE_MAX)}
          onClick={(event) => event.stopPropagation()}
          onChange={(event) => tick(item.task_id, event.target.checked)}
        />
      ),
    },
    ...runColumns<HistoryItem>(),
    { key: 'record_count', label: 'records', numeric: true },
    actionsColumn<HistoryItem>(list, {
      setPinned: (item, pinned) => api.updateBacktest({ params: { id: item.task_id }, body: { pinned } }),
      remove,
      deleteTestId: 'delete-task',
    }),
  ];

  return (
    <HistorySection
      title="History"
      testId="history"
      strategies={strategies}
      list={list}
      columns={columns}
      rowKey={(item) => item.task_id}
      openId={openTaskId}
      onOpen={onOpen}
      emptyText="No backtests yet."
      tools={
        <button
          type="button"
          data-testid="compare-ticked"
          disabled={ticked.length < COMPARE_MIN}
          title={`Tick ${COMPARE_MIN} to ${COMPARE_MAX} completed backtests`}
          onClick={() => onCompare(ticked)}
        >
          Compare {ticked.length > 0 ? `(${ticked.length})` : ''}
        </button>
      }
    />
  );
}
