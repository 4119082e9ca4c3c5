import { useCallback, useEffect, useState } from 'react';

const TASK_ROUTE = /^#\/tasks\/([^/]+)$/;

function taskIdFromHash(): string | null {
  const match = TASK_ROUTE.exec(window.location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

/** The open task lives in the URL (`#/tasks/<id>`), so a reload or a shared link returns to it. */
export function useOpenTaskId(): [string | null, (taskId: string | null) => void] {
  const [taskId, setTaskId] = useState(taskIdFromHash);
  useEffect(() => {
    const follow = () => setTaskId(taskIdFromHash());
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const openTask = useCallback((next: string | null) => {
    window.location.hash = next ? `#/tasks/${encodeURIComponent(next)}` : '';
  }, []);
  return [taskId, openTask];
}
