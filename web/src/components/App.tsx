import { useCallback, useState } from 'react';
import { api } from '../api';
import { formStrategy } from '../formModel';
import { useAsync } from '../hooks/useAsync';
import { useOpenTaskId } from '../hooks/useHashRoute';
import { ApiTokenButton } from './ApiTokenButton';
import { BacktestForm } from './BacktestForm';
import { HistoryPanel } from './HistoryPanel';
import { TaskView } from './TaskView';

/** The page: the submission form on the left; the open task and the history on the right. */
export function App() {
  const catalogs = useAsync(
    () =>
      Promise.all([
        api.listStrategies().then((body) => body.strategies.map(formStrategy)),
        api.listMarketData().then((body) => body.symbols),
      ]),
    [],
  );
  const [openTaskId, openTask] = useOpenTaskId();
  const [historyReloads, setHistoryReloads] = useState(0);
  const reloadHistory = useCallback(() => setHistoryReloads((count) => count + 1), []);

  const submitted = (taskId: string) => {
    openTask(taskId);
    reloadHistory();
  };

  const [strategies, catalog] = catalogs.value ?? [[], []];
  return (
    <div className="app">
      <header className="app-header">
        <h1>Backtests</h1>
        <ApiTokenButton />
      </header>
      <main className="layout">
        <aside className="panel form-panel">
          {catalogs.value ? (
            <BacktestForm strategies={strategies} catalog={catalog} onSubmitted={submitted} />
          ) : (
            <div className={catalogs.error ? 'form-error' : 'hint'}>{catalogs.error ?? 'Loading strategies and market data…'}</div>
          )}
        </aside>
        <div className="main-column">
          {openTaskId ? (
            <TaskView key={openTaskId} taskId={openTaskId} onStatusChange={reloadHistory} />
          ) : (
            <section className="panel empty-task">Submit a backtest, or open one from the history.</section>
          )}
          <HistoryPanel strategies={strategies} openTaskId={openTaskId} onOpen={openTask} reloadSignal={historyReloads} />
        </div>
      </main>
    </div>
  );
}
