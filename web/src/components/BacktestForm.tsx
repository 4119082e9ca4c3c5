import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../api';
import {
  availableDateRange,
  availableTimeframes,
  clampDates,
  defaultDates,
  defaultParamValues,
  paramsForSubmission,
  PREFERRED_TIMEFRAME,
  type BacktestDates,
  type DateRange,
  type ParamValues,
} from '../formModel';
import type { Timeframe } from '../../../src/contracts/backtestRequest';
import type { MarketSymbol, Strategy } from '../types';
import { FieldError } from './FieldError';
import { ParamField } from './ParamField';
import { SymbolPicker } from './SymbolPicker';

interface BacktestFormProps {
  strategies: Strategy[];
  catalog: MarketSymbol[];
  onSubmitted: (taskId: string) => void;
}

/** The API's 422 answer: the overall message and one message per field. */
interface Rejection {
  message: string;
  fields: Record<string, string>;
}

function rejectionOf(error: unknown): Rejection {
  const fields: Record<string, string> = {};
  if (error instanceof ApiError) {
    for (const detail of error.details)
      fields[detail.field] = fields[detail.field] ? `${fields[detail.field]}; ${detail.message}` : detail.message;
  }
  return { message: errorMessage(error), fields };
}

/** All messages for fields under `prefix` (`symbols` covers `symbols.0`, `symbols.3`, ...). */
const messagesUnder = (fields: Record<string, string>, prefix: string) =>
  Object.entries(fields)
    .filter(([field]) => field === prefix || field.startsWith(`${prefix}.`))
    .map(([field, message]) => (field === prefix ? message : `${field}: ${message}`))
    .join('; ') || undefined;

interface DateFieldProps {
  name: keyof BacktestDates;
  value: string;
  range: DateRange | null;
  error?: string;
  onChange: (value: string) => void;
}

const DATE_LABELS: Record<keyof BacktestDates, string> = { start_date: 'Start', end_date: 'End' };

function DateField({ name, value, range, error, onChange }: DateFieldProps) {
  return (
    <div className="field">
      <label htmlFor={name}>{DATE_LABELS[name]}</label>
      <input
        id={name}
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

/** The backtest submission form, built from the strategies' parameter schemas and the market data catalogue. */
export function BacktestForm({ strategies, catalog, onSubmitted }: BacktestFormProps) {
  const runnable = useMemo(() => strategies.filter((candidate) => candidate.available), [strategies]);
  const unavailable = useMemo(() => strategies.filter((candidate) => !candidate.available), [strategies]);
  const [strategyId, setStrategyId] = useState(runnable[0]?.id ?? '');
  const strategy = runnable.find((candidate) => candidate.id === strategyId);
  const [paramValues, setParamValues] = useState<ParamValues>(() => (runnable[0] ? defaultParamValues(runnable[0]) : {}));
  const [chosenSymbols, setChosenSymbols] = useState<string[]>(() => catalog.slice(0, 1).map((entry) => entry.symbol));
  const [requestedTimeframe, setRequestedTimeframe] = useState(PREFERRED_TIMEFRAME);
  const [dates, setDates] = useState<BacktestDates>({ start_date: '', end_date: '' });
  const [rejection, setRejection] = useState<Rejection | null>(null);
  const [submitting, setSubmitting] = useState(false);

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
    const next = runnable.find((candidate) => candidate.id === id);
    setParamValues(next ? defaultParamValues(next) : {});
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitting(true);
    setRejection(null);
    try {
      const submitted = await api.submitBacktest({
        body: {
          strategy: strategyId,
          params: paramsForSubmission(strategy!, paramValues),
          symbols: chosenSymbols,
          ...dates,
          timeframe: timeframe as Timeframe,
        },
      });
      onSubmitted(submitted.task_id);
    } catch (error) {
      setRejection(rejectionOf(error));
    } finally {
      setSubmitting(false);
    }
  };

  const fieldErrors = rejection?.fields ?? {};
  return (
    <form className="backtest-form" data-testid="backtest-form" onSubmit={submit} noValidate>
      <h2>New backtest</h2>
      {rejection && (
        <div className="form-error" role="alert" data-testid="form-error">
          {rejection.message}
        </div>
      )}

      <div className="field">
        <label htmlFor="strategy">Strategy</label>
        <select id="strategy" name="strategy" value={strategyId} onChange={(event) => chooseStrategy(event.target.value)}>
          {runnable.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.source === 'plugin' ? `${candidate.id} (plugin)` : candidate.id}
            </option>
          ))}
          {unavailable.map((candidate) => (
            <option key={`unavailable:${candidate.file}`} value={`unavailable:${candidate.file}`} disabled title={candidate.error ?? ''}>
              {candidate.id} (unavailable)
            </option>
          ))}
        </select>
        {strategy && (
          <div className="hint" data-testid="strategy-description">
            {strategy.description}
            <span className="strategy-version">
              {' '}
              {strategy.source} · version {strategy.version}
            </span>
          </div>
        )}
        {unavailable.length > 0 && (
          <ul className="plugin-errors" data-testid="plugin-errors">
            {unavailable.map((candidate) => (
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
        <SymbolPicker catalog={catalog} chosen={chosenSymbols} onChange={setChosenSymbols} />
        <FieldError field="symbols" message={messagesUnder(fieldErrors, 'symbols')} />
      </fieldset>

      <div className="field-row">
        <div className="field">
          <label htmlFor="timeframe">Timeframe</label>
          <select id="timeframe" name="timeframe" value={timeframe} onChange={(event) => setRequestedTimeframe(event.target.value)}>
            {timeframes.map((candidate) => (
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
            value={dates[name]}
            range={range}
            error={fieldErrors[name]}
            onChange={(value) => setDates((current) => ({ ...current, [name]: value }))}
          />
        ))}
      </div>
      {range && (
        <div className="hint">
          Data available {range.min} to {range.max}
        </div>
      )}

      {strategy && (
        <fieldset>
          <legend>Parameters</legend>
          <div className="param-grid">
            {Object.entries(strategy.parameters.properties).map(([name, schema]) => (
              <ParamField
                key={`${strategyId}.${name}`}
                name={name}
                schema={schema}
                value={paramValues[name]}
                error={fieldErrors[`params.${name}`]}
                onChange={(value) => setParamValues((current) => ({ ...current, [name]: value }))}
              />
            ))}
          </div>
          <FieldError field="params" message={fieldErrors.params} />
        </fieldset>
      )}

      <button type="submit" className="primary" disabled={submitting} data-testid="submit-backtest">
        {submitting ? 'Submitting…' : 'Run backtest'}
      </button>
    </form>
  );
}
