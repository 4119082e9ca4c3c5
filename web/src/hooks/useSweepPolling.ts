import { api } from '../api';
import type { Sweep, TaskStatus } from '../types';
import { usePolling } from './usePolling';

const loadSweep = (id: string) => api.getSweep({ params: { id } });

/** A sweep's live state (progress, ETA, best so far) until it has settled (see usePolling). */
export function useSweepPolling(
  sweepId: string,
  onStatusChange: (status: TaskStatus) => void,
): { sweep?: Sweep; error?: string; refresh: () => void } {
  const { value, ...rest } = usePolling(sweepId, loadSweep, onStatusChange);
  return { sweep: value, ...rest };
}
