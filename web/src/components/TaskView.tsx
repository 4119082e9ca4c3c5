import { api } from '../api';
import { formatPercent } from '../format';
import { useAction } from '../hooks/useAction';
import { isActive } from '../hooks/usePolling';
import { useTaskPolling } from '../hooks/useTaskPolling';
import type { SymbolProgress, Task } from '../types';
import { ProgressBar } from './ProgressBar';
import { RunHeader } from './RunHeader';
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

/** One task: live progress while it runs, then its result. */
export function TaskView({ taskId, onStatusChange }: TaskViewProps) {
  const { task, error, refresh } = useTaskPolling(taskId, onStatusChange);
  const cancellation = useAction();
  const cancel = () => cancellation.run(() => api.cancelBacktest({ params: { id: taskId } }).then(refresh));

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
      <RunHeader kind="task" id={task.task_id} run={task} onCancel={cancel} cancelling={cancellation.running} />
      {(error || cancellation.error) && <div className="form-error">{cancellation.error ?? error}</div>}
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
