import { api } from '../api';
import type { Task, TaskStatus } from '../types';
import { usePolling } from './usePolling';

const loadTask = (id: string) => api.getBacktest({ params: { id } });

/** A task's live state until it has settled (see usePolling). */
export function useTaskPolling(
  taskId: string,
  onStatusChange: (status: TaskStatus) => void,
): { task?: Task; error?: string; refresh: () => void } {
  const { value, ...rest } = usePolling(taskId, loadTask, onStatusChange);
  return { task: value, ...rest };
}
