import { useEffect, useState } from 'react';
import { api, ApiError, errorMessage } from '../api';
import type { Task, TaskStatus } from '../types';

export const POLL_INTERVAL_MS = 500;

export const isActive = (status: TaskStatus) => status === 'queued' || status === 'running';

/**
 * Nothing more to wait for. The workflow may report its final status a moment before it closes and
 * its result path appears, so a terminal status alone is not enough.
 */
const isSettled = (task: Task) => !isActive(task.status) && (task.finished_at !== null || task.result_path !== null);

/**
 * The task's live state: polled every POLL_INTERVAL_MS until it has settled, then left alone.
 * `refresh` asks again at once (after a cancel, say). Mount it keyed by task id so state starts empty.
 */
export function useTaskPolling(taskId: string): { task?: Task; error?: string; refresh: () => void } {
  const [task, setTask] = useState<Task>();
  const [error, setError] = useState<string>();
  const [refreshCount, setRefreshCount] = useState(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await api.getBacktest({ params: { id: taskId } });
        if (stopped) return;
        setTask(next);
        setError(undefined);
        if (!isSettled(next)) timer = setTimeout(poll, POLL_INTERVAL_MS);
      } catch (failure) {
        if (stopped) return;
        setError(errorMessage(failure));
        const clientError = failure instanceof ApiError && failure.status < 500;
        if (!clientError) timer = setTimeout(poll, POLL_INTERVAL_MS); // the server or network may recover
      }
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [taskId, refreshCount]);

  return { task, error, refresh: () => setRefreshCount((count) => count + 1) };
}
