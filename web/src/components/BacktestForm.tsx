import type { FormEvent } from 'react';
import { api } from '../api';
import { paramsForSubmission } from '../formModel';
import { useAction } from '../hooks/useAction';
import { rejectionOf } from '../rejection';
import type { MarketSymbol, Strategy } from '../types';
import { FieldError, FormError } from './FieldError';
import { ParamField } from './ParamField';
import { RunFields, runRequestOf, useRunFields } from './RunFields';

interface BacktestFormProps {
  strategies: Strategy[];
  catalog: MarketSymbol[];
  onSubmitted: (taskId: string) => void;
}

/** The backtest submission form, built from the strategies' parameter schemas and the market data catalogue. */
export function BacktestForm({ strategies, catalog, onSubmitted }: BacktestFormProps) {
  const run = useRunFields(strategies, catalog);
  const { strategy, strategyId, paramValues } = run;
  const { running: submitting, error: rejection, run: submit } = useAction(rejectionOf);

  const submitBacktest = (event: FormEvent) => {
    event.preventDefault();
    submit(async () => {
      const submitted = await api.submitBacktest({ body: { ...runRequestOf(run), params: paramsForSubmission(strategy!, paramValues) } });
      onSubmitted(submitted.task_id);
    });
  };

  const fieldErrors = rejection?.fields ?? {};
  return (
    <form className="backtest-form" data-testid="backtest-form" onSubmit={submitBacktest} noValidate>
      <h2>New backtest</h2>
      <FormError message={rejection?.message} />

      <RunFields run={run} fieldErrors={fieldErrors} />

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
                onChange={(value) => run.setParamValue(name, value)}
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
