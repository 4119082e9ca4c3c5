import { api } from '../api';
import { formatDuration, formatNumber, formatParams, formatPercent, formatValue } from '../format';
import { useAction } from '../hooks/useAction';
import { isActive } from '../hooks/usePolling';
import { useSweepPolling } from '../hooks/useSweepPolling';
import type { Sweep } from '../types';
import { ProgressBar } from './ProgressBar';
import { RunHeader } from './RunHeader';
import { SweepHeatmap } from './SweepHeatmap';
import { SweepResults } from './SweepResults';
import { WalkForwardView } from './WalkForwardView';

interface SweepViewProps {
  sweepId: string;
  /** Told each time the sweep's status changes, so the history can follow. */
  onStatusChange: (status: string) => void;
  onOpenTask: (taskId: string) => void;
}

const directionText = (sweep: Sweep) => (sweep.objective.direction === 'max' ? 'highest' : 'lowest');

/** `grid search: 30 combinations × 2 symbols = 60 evaluations · objective sharpe, highest, ≥ 1 trade · walk-forward ...`. */
function SweepSummary({ sweep }: { sweep: Sweep }) {
  const { search, walk_forward: walkForward, objective } = sweep;
  return (
    <div className="sweep-summary">
      <span>
        {search.method === 'grid' ? 'grid search' : `random sample (seed ${search.seed})`}: {formatNumber(sweep.combinations)} combinations
        × {sweep.symbols.length} {sweep.symbols.length === 1 ? 'symbol' : 'symbols'}
        {walkForward && ` × ${walkForward.folds} folds`} = {formatNumber(sweep.evaluations)} evaluations
      </span>
      <span>
        objective <b>{objective.metric}</b>, {directionText(sweep)} best, at least {objective.min_trades} closed{' '}
        {objective.min_trades === 1 ? 'trade' : 'trades'}
      </span>
      {walkForward && (
        <span>
          walk-forward: {walkForward.folds} folds, {walkForward.in_sample_pct}% in sample{walkForward.anchored ? ', anchored' : ''}
        </span>
      )}
      <dl className="sweep-grid" data-testid="sweep-grid">
        {Object.entries(sweep.grid).map(([name, values]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd title={values.map(formatValue).join(', ')}>{values.map(formatValue).join(', ')}</dd>
          </div>
        ))}
      </dl>
      <details className="fixed-params">
        <summary>Fixed parameters</summary>
        {formatParams(sweep.params)}
      </details>
    </div>
  );
}

/** Evaluated of total, ETA, the best so far, and each symbol's share. */
function SweepProgress({ sweep }: { sweep: Sweep }) {
  const active = isActive(sweep.status);
  return (
    <div className="sweep-progress" data-testid="sweep-progress">
      <div className="overall-progress">
        <ProgressBar fraction={sweep.progress} state={sweep.status} />
        <span>{formatPercent(sweep.progress)}</span>
      </div>
      <div className="progress-facts">
        <span data-testid="sweep-evaluated" data-evaluated={sweep.evaluated} data-total={sweep.evaluations}>
          {formatNumber(sweep.evaluated)} / {formatNumber(sweep.evaluations)} evaluations
        </span>
        {active && (
          <span data-testid="sweep-eta">ETA {sweep.eta_seconds === null ? 'estimating…' : formatDuration(sweep.eta_seconds)}</span>
        )}
      </div>
      <div className="best-so-far" data-testid="sweep-best">
        <span
          className="best-label"
          title={active ? 'The best single row (one symbol) evaluated so far' : 'The best combination over all symbols (mean objective)'}
        >
          {active ? 'Best row so far' : 'Best combination'}
        </span>
        {sweep.best ? (
          <>
            <b>
              {sweep.objective.metric} {formatNumber(sweep.best.objective)}
            </b>
            <span>{formatParams(sweep.best.params)}</span>
            <span className="hint">combination #{sweep.best.combo_id}</span>
          </>
        ) : (
          <span className="hint">none yet</span>
        )}
      </div>
      <div className="symbol-progress-list">
        {sweep.symbol_progress.map((entry) => {
          const fraction = entry.total === 0 ? 0 : entry.evaluated / entry.total;
          return (
            <div key={entry.symbol} className="symbol-progress" data-testid="sweep-symbol-progress" data-symbol={entry.symbol}>
              <span className="symbol-name">{entry.symbol}</span>
              <ProgressBar fraction={fraction} state={sweep.status === 'running' && fraction >= 1 ? 'completed' : sweep.status} />
              <span className="state-label">
                {formatNumber(entry.evaluated)} / {formatNumber(entry.total)}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function MaterializedTasks({ taskIds, onOpenTask }: { taskIds: string[]; onOpenTask: (taskId: string) => void }) {
  return (
    <section className="result-section">
      <h3>Best combinations as backtests</h3>
      <ol className="materialized-tasks" data-testid="materialized-tasks">
        {taskIds.map((taskId) => (
          <li key={taskId}>
            <a
              href={`#/tasks/${taskId}`}
              onClick={(event) => {
                event.preventDefault();
                onOpenTask(taskId);
              }}
            >
              {taskId}
            </a>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** One sweep: live progress while it runs, then its results, heatmap and walk-forward view. */
export function SweepView({ sweepId, onStatusChange, onOpenTask }: SweepViewProps) {
  const { sweep, error, refresh } = useSweepPolling(sweepId, onStatusChange);
  const cancellation = useAction();
  if (!sweep) {
    return (
      <section className="panel task-view">
        {error ? <div className="form-error">{error}</div> : <p className="hint">Loading sweep…</p>}
      </section>
    );
  }
  const cancel = () => cancellation.run(() => api.cancelSweep({ params: { id: sweepId } }).then(refresh));
  const completed = sweep.status === 'completed' && sweep.result_path !== null;
  return (
    <section className="panel task-view sweep-view" data-testid="sweep-view">
      <RunHeader
        kind="sweep"
        id={sweep.sweep_id}
        run={sweep}
        onCancel={cancel}
        cancelling={cancellation.running}
        badges={
          sweep.waiting_for_worker && (
            <span className="waiting-badge" data-testid="waiting-for-worker" title="Work is scheduled that no worker has picked up yet">
              waiting for a worker
            </span>
          )
        }
      />
      {(error || cancellation.error) && <div className="form-error">{cancellation.error ?? error}</div>}
      {sweep.error && (
        <div className="form-error" data-testid="sweep-error">
          {sweep.error}
        </div>
      )}
      <SweepSummary sweep={sweep} />
      <SweepProgress sweep={sweep} />
      {completed && (
        <div className="result-view">
          <SweepResults sweep={sweep} onOpenTask={onOpenTask} />
          <SweepHeatmap sweep={sweep} />
          {sweep.walk_forward && <WalkForwardView sweep={sweep} />}
        </div>
      )}
      {sweep.materialized_tasks.length > 0 && <MaterializedTasks taskIds={sweep.materialized_tasks} onOpenTask={onOpenTask} />}
    </section>
  );
}
