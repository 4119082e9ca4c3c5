import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { formStrategy } from '../formModel';
import { useAsync } from '../hooks/useAsync';
import { hashOf, useHashRoute, type Route } from '../hooks/useHashRoute';
import { ApiTokenButton } from './ApiTokenButton';
import { BacktestForm } from './BacktestForm';
import { CompareView } from './CompareView';
import { HistoryPanel } from './HistoryPanel';
import { SweepForm } from './SweepForm';
import { SweepHistory } from './SweepHistory';
import { SweepView } from './SweepView';
import { TaskView } from './TaskView';

/** A counter that, passed down as a reload signal, makes a history list ask again. */
function useReloadSignal(): [number, () => void] {
  const [count, setCount] = useState(0);
  return [count, useCallback(() => setCount((current) => current + 1), [])];
}

const PAGES: { label: string; route: Route }[] = [
  { label: 'Backtests', route: { page: 'backtests', taskId: null } },
  { label: 'Parameter sweeps', route: { page: 'sweeps', sweepId: null } },
];

/**
 * The page: a form on the left (backtest or sweep); on the right what is open (a task, a comparison, a
 * sweep) above its history.
 */
export function App() {
  const catalogs = useAsync(
    () =>
      Promise.all([
        api.listStrategies().then((body) => body.strategies.map(formStrategy)),
        api.listMarketData().then((body) => body.symbols),
      ]),
    [],
  );
  const [route, navigate] = useHashRoute();
  const opening = route.page === 'backtests' ? route.taskId : route.page === 'sweeps' ? route.sweepId : route.taskIds.join();
  // What opens is shown from its top, whether the form's button or a history row far below opened it.
  useEffect(() => {
    window.scrollTo({ top: 0 });
  }, [opening]);
  const [taskReloads, reloadTasks] = useReloadSignal();
  const [sweepReloads, reloadSweeps] = useReloadSignal();
  const openTask = useCallback((taskId: string | null) => navigate({ page: 'backtests', taskId }), [navigate]);
  const openSweep = useCallback((sweepId: string | null) => navigate({ page: 'sweeps', sweepId }), [navigate]);
  const submittedTask = (taskId: string) => {
    openTask(taskId);
    reloadTasks();
  };
  const submittedSweep = (sweepId: string) => {
    openSweep(sweepId);
    reloadSweeps();
  };

  const [strategies, catalog] = catalogs.value ?? [[], []];
  const onSweepsPage = route.page === 'sweeps';
  // Both forms stay mounted, the other one hidden, so each keeps what was typed into it.
  const forms = catalogs.value ? (
    <>
      <div hidden={onSweepsPage}>
        <BacktestForm strategies={strategies} catalog={catalog} onSubmitted={submittedTask} />
      </div>
      <div hidden={!onSweepsPage}>
        <SweepForm strategies={strategies} catalog={catalog} onSubmitted={submittedSweep} />
      </div>
    </>
  ) : (
    <div className={catalogs.error ? 'form-error' : 'hint'}>{catalogs.error ?? 'Loading strategies and market data…'}</div>
  );

  let opened;
  if (route.page === 'sweeps') {
    opened = route.sweepId ? (
      <SweepView key={route.sweepId} sweepId={route.sweepId} onStatusChange={reloadSweeps} onOpenTask={submittedTask} />
    ) : (
      <section className="panel empty-task">Start a sweep, or open one from the list below.</section>
    );
  } else if (route.page === 'compare') {
    opened = <CompareView taskIds={route.taskIds} onOpenTask={openTask} onClose={() => openTask(null)} />;
  } else {
    opened = route.taskId ? (
      <TaskView key={route.taskId} taskId={route.taskId} onStatusChange={reloadTasks} />
    ) : (
      <section className="panel empty-task">Submit a backtest, or open one from the history.</section>
    );
  }

  return (
    <div className="app">
      <header className="app-header">
        <h1>Backtests</h1>
        <nav className="page-tabs">
          {PAGES.map(({ label, route: target }) => (
            <a
              key={target.page}
              href={hashOf(target) || '#/'}
              className={(target.page === 'sweeps') === onSweepsPage ? 'active' : undefined}
              data-testid={`nav-${target.page}`}
            >
              {label}
            </a>
          ))}
        </nav>
        <ApiTokenButton />
      </header>
      <main className={`layout${onSweepsPage ? ' sweeps-layout' : ''}`}>
        <aside className="panel form-panel">{forms}</aside>
        <div className="main-column">
          {opened}
          {onSweepsPage ? (
            <SweepHistory strategies={strategies} openSweepId={route.sweepId} onOpen={openSweep} reloadSignal={sweepReloads} />
          ) : (
            <HistoryPanel
              strategies={strategies}
              openTaskId={route.page === 'backtests' ? route.taskId : null}
              onOpen={openTask}
              onCompare={(taskIds) => navigate({ page: 'compare', taskIds })}
              reloadSignal={taskReloads}
            />
          )}
        </div>
      </main>
    </div>
  );
}
