import { useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../api';
import type { TaskStatus } from '../types';

const POLL_INTERVAL_MS = 500;

/** Tasks and sweeps share their statuses: these two still change. */
export const isActive = (status: TaskStatus) => status === 'queued' || status === 'running';

/**
 * Nothing more to wait for. A workflow may report its final status a moment before it closes and its
 * result path appears, so a terminal status alone is not enough.
 */
const isSettled = (state: { status: TaskStatus; finished_at: string | null; result_path: string | null }) =>
  !isActive(state.status) && (state.finished_at !== null || state.result_path !== null);

/**
 * A task's or a sweep's live state: `load` polled every POLL_INTERVAL_MS until `isSettled`, then left alone;
 * `onStatusChange` is told each status seen (so a history can follow). `refresh` asks again at once (after a
 * cancel, say). Mount it keyed by the id so state starts empty.
 */
export function usePolling<T extends Parameters<typeof isSettled>[0]>(
  id: string,
  load: (id: string) => Promise<T>,
  onStatusChange: (status: TaskStatus) => void,
): { value?: T; error?: string; refresh: () => void } {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  const [refreshCount, setRefreshCount] = useState(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await load(id);
        if (stopped) return;
        setValue(next);
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
  }, [id, refreshCount]);

  const status = value?.status;
  useEffect(() => {
    if (status) onStatusChange(status);
  }, [status, onStatusChange]);

  return { value, error, refresh: () => setRefreshCount((count) => count + 1) };
}
