import { useMemo, useState } from 'react';
import { api } from '../api';
import { formatValue, humanize } from '../format';
import { useAsync } from '../hooks/useAsync';
import type { ComparedTask } from '../types';
import { DataTable, type Column } from './DataTable';
import { EquityCharts } from './EquityCharts';
import { METRIC_LABELS } from './ResultView';
import { SymbolSelect } from './SymbolSelect';

const CURVE_MAX_POINTS = 1000;

interface CompareViewProps {
  taskIds: string[];
  onOpenTask: (taskId: string) => void;
  onClose: () => void;
}

/** One line of a side-by-side table: a field, and its value in each task (keyed by task id). */
type SideBySideRow = { field: string; label: string; differs: boolean; values: Record<string, unknown> };

const taskLabel = (index: number, task: ComparedTask) => `#${index + 1} ${task.task_id.slice(0, 8)}`;

function sideBySideRow(tasks: ComparedTask[], field: string, label: string, values: unknown[]): SideBySideRow {
  return {
    field,
    label,
    differs: new Set(values.map(formatValue)).size > 1,
    values: Object.fromEntries(tasks.map((task, index) => [task.task_id, values[index]])),
  };
}

/** The requests: strategy, symbols, timeframe, range and every parameter. */
function requestRows(tasks: ComparedTask[]): SideBySideRow[] {
  const parameters = [...new Set(tasks.flatMap((task) => Object.keys(task.params)))];
  return [
    sideBySideRow(
      tasks,
      'strategy',
      'strategy',
      tasks.map((task) => task.strategy),
    ),
    sideBySideRow(
      tasks,
      'symbols',
      'symbols',
      tasks.map((task) => task.symbols.join(', ')),
    ),
    sideBySideRow(
      tasks,
      'timeframe',
      'timeframe',
      tasks.map((task) => task.timeframe),
    ),
    sideBySideRow(
      tasks,
      'range',
      'range',
      tasks.map((task) => `${task.start_date} → ${task.end_date}`),
    ),
    ...parameters.map((name) =>
      sideBySideRow(
        tasks,
        `params.${name}`,
        humanize(name),
        tasks.map((task) => task.params[name]),
      ),
    ),
  ];
}

/** Every summary metric of one symbol. */
function metricRows(tasks: ComparedTask[], symbol: string): SideBySideRow[] {
  const summaries = tasks.map((task) => task.summary.find((row) => row.symbol === symbol) as Record<string, unknown> | undefined);
  const metrics = Object.keys(summaries.find(Boolean) ?? {}).filter((name) => name !== 'symbol');
  return metrics.map((metric) =>
    sideBySideRow(
      tasks,
      metric,
      METRIC_LABELS[metric] ?? humanize(metric),
      summaries.map((summary) => summary?.[metric] ?? null),
    ),
  );
}

/** The field, then a column per task; in the requests, a value that differs between the tasks is marked. */
function sideBySideColumns(tasks: ComparedTask[], kind: 'requests' | 'metrics'): Column<SideBySideRow>[] {
  const numeric = kind === 'metrics';
  const marked = (row: SideBySideRow, text: string) => <span className={row.differs && !numeric ? 'differs' : undefined}>{text}</span>;
  return [
    { key: 'field', label: '', render: (row) => marked(row, row.label) },
    ...tasks.map((task, index) => ({
      key: task.task_id,
      label: taskLabel(index, task),
      numeric,
      render: (row: SideBySideRow) => marked(row, formatValue(row.values[task.task_id])),
    })),
  ];
}

/** The symbols of the tasks, those every task has first. */
function symbolsOf(tasks: ComparedTask[]): string[] {
  const all = [...new Set(tasks.flatMap((task) => task.symbols))];
  const shared = all.filter((symbol) => tasks.every((task) => task.symbols.includes(symbol)));
  return [...shared, ...all.filter((symbol) => !shared.includes(symbol))];
}

/** 2 to 4 finished backtests side by side: their requests, one symbol's metrics, and their equity curves overlaid. */
export function CompareView({ taskIds, onOpenTask, onClose }: CompareViewProps) {
  const ids = taskIds.join(',');
  const comparison = useAsync(() => api.compareBacktests({ query: { ids, max_points: CURVE_MAX_POINTS } }), [ids]);
  const tasks = useMemo(() => comparison.value?.tasks ?? [], [comparison.value]);
  const symbols = useMemo(() => symbolsOf(tasks), [tasks]);
  const [chosenSymbol, setChosenSymbol] = useState<string>();
  const symbol = chosenSymbol && symbols.includes(chosenSymbol) ? chosenSymbol : symbols[0];
  const labels = useMemo(() => tasks.map((task, index) => taskLabel(index, task)), [tasks]);
  // Each task's curve of the symbol, named by the task, so EquityCharts draws one line per task.
  const curves = useMemo(
    () =>
      tasks.flatMap((task, index) =>
        task.equity_curve.filter((point) => point.symbol === symbol).map((point) => ({ ...point, symbol: labels[index] })),
      ),
    [tasks, labels, symbol],
  );

  return (
    <section className="panel task-view compare-view" data-testid="compare-view">
      <div className="section-heading">
        <h2>Comparing {taskIds.length} backtests</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {comparison.error && <div className="form-error">{comparison.error}</div>}
      {tasks.length === 0 ? (
        !comparison.error && <p className="hint">Loading the backtests…</p>
      ) : (
        <div className="result-view">
          <div className="compare-tasks">
            {tasks.map((task, index) => (
              <a
                key={task.task_id}
                href={`#/tasks/${task.task_id}`}
                onClick={(event) => {
                  event.preventDefault();
                  onOpenTask(task.task_id);
                }}
              >
                {labels[index]}: {task.task_id}
              </a>
            ))}
          </div>
          <section className="result-section">
            <h3>Requests</h3>
            <DataTable
              testId="compare-requests"
              rows={requestRows(tasks)}
              columns={sideBySideColumns(tasks, 'requests')}
              rowKey={(row) => row.field}
            />
          </section>
          <section className="result-section">
            <div className="section-heading">
              <h3>Metrics</h3>
              <SymbolSelect symbols={symbols} value={symbol} onChange={setChosenSymbol} testId="compare-symbol" />
            </div>
            <DataTable
              testId="compare-metrics"
              rows={metricRows(tasks, symbol)}
              columns={sideBySideColumns(tasks, 'metrics')}
              rowKey={(row) => row.field}
            />
          </section>
          <section className="result-section">
            <h3>Equity and drawdown of {symbol}</h3>
            <EquityCharts points={curves} symbols={labels} />
          </section>
        </div>
      )}
    </section>
  );
}
