import { useEffect, useMemo, useState } from 'react';
import {
  availableDateRange,
  availableTimeframes,
  clampDates,
  defaultDates,
  defaultParamValues,
  PREFERRED_TIMEFRAME,
  type BacktestDates,
  type DateRange,
  type ParamValues,
} from '../formModel';
import { messagesUnder } from '../rejection';
import type { Timeframe } from '../../../src/contracts/backtestRequest';
import type { MarketSymbol, Strategy } from '../types';
import { FieldError } from './FieldError';
import { useFieldId } from './fieldIds';
import { SymbolPicker } from './SymbolPicker';

/** What a backtest and a sweep both ask for (a strategy, its parameter values, symbols, a timeframe, dates), with their rules. */
export interface RunFieldsState {
  /** The strategies that can run (the form offers these), and the plugins that failed to load (shown with their errors). */
  strategies: Strategy[];
  unavailable: Strategy[];
  catalog: MarketSymbol[];
  strategyId: string;
  strategy: Strategy | undefined;
  chooseStrategy: (id: string) => void;
  paramValues: ParamValues;
  setParamValue: (name: string, value: string | boolean) => void;
  chosenSymbols: string[];
  setChosenSymbols: (symbols: string[]) => void;
  timeframes: string[];
  timeframe: Timeframe;
  setTimeframe: (timeframe: string) => void;
  range: DateRange | null;
  dates: BacktestDates;
  setDate: (name: keyof BacktestDates, value: string) => void;
}

/** The state of the run fields: parameter values reset to the defaults with each strategy; dates kept inside the data. */
export function useRunFields(listed: Strategy[], catalog: MarketSymbol[], onStrategyChosen?: (id: string) => void): RunFieldsState {
  const strategies = useMemo(() => listed.filter((candidate) => candidate.available), [listed]);
  const unavailable = useMemo(() => listed.filter((candidate) => !candidate.available), [listed]);
  const [strategyId, setStrategyId] = useState(strategies[0]?.id ?? '');
  const strategy = strategies.find((candidate) => candidate.id === strategyId);
  const [paramValues, setParamValues] = useState<ParamValues>(() => (strategies[0] ? defaultParamValues(strategies[0]) : {}));
  const [chosenSymbols, setChosenSymbols] = useState<string[]>(() => catalog.slice(0, 1).map((entry) => entry.symbol));
  const [requestedTimeframe, setRequestedTimeframe] = useState(PREFERRED_TIMEFRAME);
  const [dates, setDates] = useState<BacktestDates>({ start_date: '', end_date: '' });

  const timeframes = useMemo(() => availableTimeframes(catalog, chosenSymbols), [catalog, chosenSymbols]);
  const timeframe = timeframes.includes(requestedTimeframe) ? requestedTimeframe : (timeframes.at(-1) ?? requestedTimeframe);
  const range = useMemo(() => availableDateRange(catalog, chosenSymbols, timeframe), [catalog, chosenSymbols, timeframe]);

  // First range known: the default window; later changes of symbols or timeframe: keep the dates inside the range.
  useEffect(() => {
    if (!range) return;
    setDates((current) => (current.start_date && current.end_date ? clampDates(current, range) : defaultDates(range)));
  }, [range?.min, range?.max]);

  const chooseStrategy = (id: string) => {
    setStrategyId(id);
    const next = strategies.find((candidate) => candidate.id === id);
    setParamValues(next ? defaultParamValues(next) : {});
    onStrategyChosen?.(id);
  };

  return {
    strategies,
    unavailable,
    catalog,
    strategyId,
    strategy,
    chooseStrategy,
    paramValues,
    setParamValue: (name, value) => setParamValues((current) => ({ ...current, [name]: value })),
    chosenSymbols,
    setChosenSymbols,
    timeframes,
    timeframe: timeframe as Timeframe,
    setTimeframe: setRequestedTimeframe,
    range,
    dates,
    setDate: (name, value) => setDates((current) => ({ ...current, [name]: value })),
  };
}

interface DateFieldProps {
  name: keyof BacktestDates;
  value: string;
  range: DateRange | null;
  error?: string;
  onChange: (value: string) => void;
}

const DATE_LABELS: Record<keyof BacktestDates, string> = { start_date: 'Start', end_date: 'End' };

function DateField({ name, value, range, error, onChange }: DateFieldProps) {
  const inputId = useFieldId()(name);
  return (
    <div className="field">
      <label htmlFor={inputId}>{DATE_LABELS[name]}</label>
      <input
        id={inputId}
        name={name}
        type="date"
        min={range?.min}
        max={range?.max}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      <FieldError field={name} message={error} />
    </div>
  );
}

/** Strategy, symbols, timeframe and dates, each with the API's message for it. */
export function RunFields({ run, fieldErrors }: { run: RunFieldsState; fieldErrors: Record<string, string> }) {
  const fieldId = useFieldId();
  return (
    <>
      <div className="field">
        <label htmlFor={fieldId('strategy')}>Strategy</label>
        <select
          id={fieldId('strategy')}
          name="strategy"
          value={run.strategyId}
          onChange={(event) => run.chooseStrategy(event.target.value)}
        >
          {run.strategies.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.source === 'plugin' ? `${candidate.id} (plugin)` : candidate.id}
            </option>
          ))}
          {run.unavailable.map((candidate) => (
            <option key={`unavailable:${candidate.file}`} value={`unavailable:${candidate.file}`} disabled title={candidate.error ?? ''}>
              {candidate.id} (unavailable)
            </option>
          ))}
        </select>
        {run.strategy && (
          <div className="hint" data-testid="strategy-description">
            {run.strategy.description}
            <span className="strategy-version">
              {' '}
              {run.strategy.source} · version {run.strategy.version}
            </span>
          </div>
        )}
        {run.unavailable.length > 0 && (
          <ul className="plugin-errors" data-testid="plugin-errors">
            {run.unavailable.map((candidate) => (
              <li key={candidate.file}>
                Plugin {candidate.file} is unavailable: {candidate.error}
              </li>
            ))}
          </ul>
        )}
        <FieldError field="strategy" message={fieldErrors.strategy} />
      </div>

      <fieldset>
        <legend>Symbols</legend>
        <SymbolPicker catalog={run.catalog} chosen={run.chosenSymbols} onChange={run.setChosenSymbols} />
        <FieldError field="symbols" message={messagesUnder(fieldErrors, 'symbols')} />
      </fieldset>

      <div className="field-row">
        <div className="field">
          <label htmlFor={fieldId('timeframe')}>Timeframe</label>
          <select
            id={fieldId('timeframe')}
            name="timeframe"
            value={run.timeframe}
            onChange={(event) => run.setTimeframe(event.target.value)}
          >
            {run.timeframes.map((candidate) => (
              <option key={candidate} value={candidate}>
                {candidate}
              </option>
            ))}
          </select>
          <FieldError field="timeframe" message={fieldErrors.timeframe} />
        </div>
        {(['start_date', 'end_date'] as const).map((name) => (
          <DateField
            key={name}
            name={name}
            value={run.dates[name]}
            range={run.range}
            error={fieldErrors[name]}
            onChange={(value) => run.setDate(name, value)}
          />
        ))}
      </div>
      {run.range && (
        <div className="hint">
          Data available {run.range.min} to {run.range.max}
        </div>
      )}
    </>
  );
}

/** The request fields shared by a backtest and a sweep, as the API names them. */
export const runRequestOf = (run: RunFieldsState) => ({
  strategy: run.strategyId,
  symbols: run.chosenSymbols,
  ...run.dates,
  timeframe: run.timeframe,
});
