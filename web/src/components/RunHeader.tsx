import type { ReactNode } from 'react';
import { formatTimestamp } from '../format';
import { isActive } from '../hooks/usePolling';
import type { TaskStatus } from '../types';

/** What a task and a sweep both say about themselves. */
export interface RunDescription {
  strategy: string;
  timeframe: string;
  start_date: string;
  end_date: string;
  status: TaskStatus;
  pinned: boolean;
  created_at: string | null;
  finished_at: string | null;
  links: { temporal_ui: string };
}

interface RunHeaderProps {
  kind: 'task' | 'sweep';
  id: string;
  run: RunDescription;
  onCancel: () => void;
  cancelling: boolean;
  /** More badges beside the status (e.g. "waiting for a worker"). */
  badges?: ReactNode;
}

/** Title, status, id, times, the workflow in the Temporal UI, and Cancel while it runs. */
export function RunHeader({ kind, id, run, onCancel, cancelling, badges }: RunHeaderProps) {
  return (
    <div className="task-header">
      <div className="task-title">
        <h2>
          {run.strategy} · {run.timeframe} · {run.start_date} → {run.end_date}
        </h2>
        <span className={`status-badge state-${run.status}`} data-testid={`${kind}-status`} data-status={run.status}>
          {run.status}
        </span>
        {run.pinned && <span className="pinned-badge">pinned</span>}
        {badges}
      </div>
      <div className="task-meta">
        <code title={`${kind} id`}>{id}</code>
        <span>created {formatTimestamp(run.created_at)}</span>
        {run.finished_at && <span>finished {formatTimestamp(run.finished_at)}</span>}
        <a href={run.links.temporal_ui} target="_blank" rel="noreferrer" data-testid="temporal-link">
          Workflow in Temporal UI ↗
        </a>
        {isActive(run.status) && (
          <button type="button" className="danger" onClick={onCancel} disabled={cancelling} data-testid={`cancel-${kind}`}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
    </div>
  );
}
