import { useState } from 'react';
import { errorMessage } from '../api';

/**
 * A button's or a form's request (cancel, run as backtest, submit): whether one is under way, and the failure
 * of the last one as `describe` reads it (its message by default; a form reads the API's 422 details).
 */
export function useAction<Failure = string>(
  describe: (error: unknown) => Failure = errorMessage as (error: unknown) => Failure,
): { running: boolean; error?: Failure; run: (action: () => Promise<unknown>) => Promise<void> } {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<Failure>();
  const run = async (action: () => Promise<unknown>) => {
    setRunning(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setRunning(false);
    }
  };
  return { running, error, run };
}
