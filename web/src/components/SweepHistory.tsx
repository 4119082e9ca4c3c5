import { api } from '../api';
import { formatNumber, formatParams } from '../format';
import type { Strategy, SweepHistoryItem } from '../types';
import type { Column } from './DataTable';
import { actionsColumn, HistorySection, runColumns, symbolsText, useHistoryList } from './HistoryList';

interface SweepHistoryProps {
  strategies: Strategy[];
  openSweepId: string | null;
  onOpen: (sweepId: string | null) => void;
  /** Changes whenever the list may be stale (a sweep submitted or finished). */
  reloadSignal: number;
}

/** Past and running sweeps, newest first: status, size, the best combination, pin and delete. */
export function SweepHistory({ strategies, openSweepId, onOpen, reloadSignal }: SweepHistoryProps) {
  const list = useHistoryList((query) => api.listSweeps({ query }), reloadSignal);

  const remove = async (item: SweepHistoryItem) => {
    if (!window.confirm(`Delete sweep ${item.sweep_id} (${item.strategy}, ${symbolsText(item.symbols)}) and its result files?`)) return;
    await api.deleteSweep({ params: { id: item.sweep_id } });
    if (item.sweep_id === openSweepId) onOpen(null);
  };

  const columns: Column<SweepHistoryItem>[] = [
    ...runColumns<SweepHistoryItem>(),
    {
      key: 'evaluations',
      label: 'combos / evals',
      numeric: true,
      render: (item) => `${formatNumber(item.combinations)} / ${formatNumber(item.evaluations)}`,
    },
    {
      key: 'best',
      render: (item) =>
        item.best ? (
          <span className="truncate best-cell" title={formatParams(item.best.params)}>
            <b>{formatNumber(item.best.objective)}</b> · {formatParams(item.best.params)}
          </span>
        ) : (
          '—'
        ),
    },
    actionsColumn<SweepHistoryItem>(list, {
      setPinned: (item, pinned) => api.updateSweep({ params: { id: item.sweep_id }, body: { pinned } }),
      remove,
      deleteTestId: 'delete-sweep',
    }),
  ];

  return (
    <HistorySection
      title="Sweeps"
      testId="sweep-history"
      strategies={strategies}
      list={list}
      columns={columns}
      rowKey={(item) => item.sweep_id}
      openId={openSweepId}
      onOpen={onOpen}
      emptyText="No sweeps yet."
    />
  );
}
