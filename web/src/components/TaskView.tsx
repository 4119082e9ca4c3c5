import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api';
import { formatPercent, formatTimestamp } from '../format';
import { isActive, useTaskPolling } from '../hooks/useTaskPolling';
import type { SymbolProgress, Task } from '../types';
import { ProgressBar } from './ProgressBar';
import { ResultView } from './ResultView';

interface TaskViewProps {
  taskId: string;
  /** Told each time the task's status changes, so the history can follow. */
  onStatusChange: (status: string) => void;
}

/** A symbol's state as the page shows it: the task's cancel and queue override the symbol's own. */
function displayedState(entry: SymbolProgress, task: Task): string {
  if (task.status === 'cancelled' && entry.state !== 'completed') return 'cancelled';
  if (entry.state === 'pending' && task.status === 'queued') return 'queued';
  return entry.state;
}

function SymbolProgressRow({ entry, task }: { entry: SymbolProgress; task: Task }) {
  const state = displayedState(entry, task);
  return (
    <div className="symbol-progress" data-testid="symbol-progress-row" data-symbol={entry.symbol} data-state={state}>
      <span className="symbol-name">{entry.symbol}</span>
      <ProgressBar fraction={entry.progress} state={state} />
      <span className={`state-label state-${state}`}>{state === 'running' ? `running ${formatPercent(entry.progress)}` : state}</span>
      {entry.error && <span className="symbol-error">{entry.error}</span>}
    </div>
  );
}

function TaskHeader({ task, onCancel, cancelling }: { task: Task; onCancel: () => void; cancelling: boolean }) {
  return (
    <div className="task-header">
      <div className="task-title">
        <h2>
          {task.strategy} · {task.timeframe} · {task.start_date} → {task.end_date}
        </h2>
        <span className={`status-badge state-${task.status}`} data-testid="task-status" data-status={task.status}>
          {task.status}
        </span>
        {task.pinned && <span className="pinned-badge">pinned</span>}
      </div>
      <div className="task-meta">
        <code title="task id">{task.task_id}</code>
        <span>created {formatTimestamp(task.created_at)}</span>
        {task.finished_at && <span>finished {formatTimestamp(task.finished_at)}</span>}
        <a href={task.links.temporal_ui} target="_blank" rel="noreferrer" data-testid="temporal-link">
          Workflow in Temporal UI ↗
        </a>
        {isActive(task.status) && (
          <button type="button" className="danger" onClick={onCancel} disabled={cancelling} data-testid="cancel-task">
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
    </div>
  );
}

/** One task: live progress while it runs, then its result. */
export function TaskView({ taskId, onStatusChange }: TaskViewProps) {
  const { task, error, refresh } = useTaskPolling(taskId);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string>();
  const status = task?.status;

  useEffect(() => {
    if (status) onStatusChange(status);
  }, [status, onStatusChange]);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(undefined);
    try {
      await api.cancelBacktest({ params: { id: taskId } });
      refresh();
    } catch (failure) {
      setCancelError(errorMessage(failure));
    } finally {
      setCancelling(false);
    }
  };

  if (!task) {
    return (
      <section className="panel task-view">
        {error ? <div className="form-error">{error}</div> : <p className="hint">Loading task…</p>}
      </section>
    );
  }
  const hasResult = task.result_path !== null && !isActive(task.status);
  return (
    <section className="panel task-view" data-testid="task-view">
      <TaskHeader task={task} onCancel={cancel} cancelling={cancelling} />
      {(error || cancelError) && <div className="form-error">{cancelError ?? error}</div>}
      {task.error && (
        <div className="form-error" data-testid="task-error">
          {task.error}
        </div>
      )}
      <div className="overall-progress" data-testid="overall-progress">
        <ProgressBar fraction={task.progress} state={task.status} />
        <span>{formatPercent(task.progress)}</span>
      </div>
      <div className="symbol-progress-list" data-testid="symbol-progress">
        {task.symbols.map((entry) => (
          <SymbolProgressRow key={entry.symbol} entry={entry} task={task} />
        ))}
      </div>
      {hasResult && <ResultView taskId={task.task_id} />}
    </section>
  );
}
