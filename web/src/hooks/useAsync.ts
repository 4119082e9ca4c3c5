import { useEffect, useState, type DependencyList } from 'react';
import { errorMessage } from '../api';

export interface AsyncState<T> {
  value: T | undefined;
  error: string | undefined;
  loading: boolean;
}

/**
 * Runs `load` whenever `dependencies` change and keeps the latest answer; an answer that arrives
 * after the dependencies moved on is dropped. The previous value stays visible while reloading.
 */
export function useAsync<T>(load: () => Promise<T>, dependencies: DependencyList): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ value: undefined, error: undefined, loading: true });
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (value) => current && setState({ value, error: undefined, loading: false }),
      (error: unknown) => current && setState((previous) => ({ ...previous, error: errorMessage(error), loading: false })),
    );
    return () => {
      current = false;
    };
  }, dependencies);
  return state;
}
