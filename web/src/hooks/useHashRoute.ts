import { useCallback, useEffect, useState } from 'react';

/** What the page shows, kept in the URL so a reload or a shared link returns to it. */
export type Route =
  { page: 'backtests'; taskId: string | null } | { page: 'compare'; taskIds: string[] } | { page: 'sweeps'; sweepId: string | null };

const TASK_ROUTE = /^#\/tasks\/([^/]+)$/;
const COMPARE_ROUTE = /^#\/compare\/([^/]+)$/;
const SWEEP_ROUTE = /^#\/sweeps(?:\/([^/]+))?$/;

/** `#/tasks/<id>`, `#/compare/<id>,<id>`, `#/sweeps`, `#/sweeps/<id>`; anything else is the backtests page. */
export function routeOf(hash: string): Route {
  const task = TASK_ROUTE.exec(hash);
  if (task) return { page: 'backtests', taskId: decodeURIComponent(task[1]) };
  const compare = COMPARE_ROUTE.exec(hash);
  if (compare) return { page: 'compare', taskIds: decodeURIComponent(compare[1]).split(',') };
  const sweep = SWEEP_ROUTE.exec(hash);
  if (sweep) return { page: 'sweeps', sweepId: sweep[1] ? decodeURIComponent(sweep[1]) : null };
  return { page: 'backtests', taskId: null };
}

export function hashOf(route: Route): string {
  switch (route.page) {
    case 'backtests':
      return route.taskId ? `#/tasks/${encodeURIComponent(route.taskId)}` : '';
    case 'compare':
      return `#/compare/${route.taskIds.map(encodeURIComponent).join(',')}`;
    case 'sweeps':
      return route.sweepId ? `#/sweeps/${encodeURIComponent(route.sweepId)}` : '#/sweeps';
  }
}

/** The route in the URL's hash, followed as it changes; `navigate` changes it. */
export function useHashRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => routeOf(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(routeOf(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const navigate = useCallback((next: Route) => {
    window.location.hash = hashOf(next);
  }, []);
  return [route, navigate];
}
