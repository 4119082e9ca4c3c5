import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api';
import { sweepMetrics } from '../../../src/contracts/sweepRequest';
import { formatNumber } from '../format';
import { useAction } from '../hooks/useAction';
import { messagesUnder, rejectionOf } from '../rejection';
import { DEFAULT_SWEEP_SETTINGS, sweepRequestOf, sweepSize, valueCount, type SweepSettings, type SweptParams } from '../sweepFormModel';
import type { MarketSymbol, Strategy, SweepMetric } from '../types';
import { FieldError, FormError } from './FieldError';
import { FieldIdPrefix } from './fieldIds';
import { RunFields, runRequestOf, useRunFields } from './RunFields';
import { SweepParamField } from './SweepParamField';

interface SweepFormProps {
  strategies: Strategy[];
  catalog: MarketSymbol[];
  onSubmitted: (sweepId: string) => void;
}

interface SettingFieldProps {
  /** The API's name of the field (`walk_forward.folds`): the input's id and where its message comes from. */
  field: string;
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}

/** The input id of a setting: the API's field name with dashes (`walk_forward-folds`), easy to select. */
const settingId = (field: string) => field.replace('.', '-');

function SettingField({ field, label, error, hint, children }: SettingFieldProps) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={settingId(field)}>{label}</label>
      {children}
      {hint && <div className="hint">{hint}</div>}
      <FieldError field={field} message={error} />
    </div>
  );
}

/** `3 × 5 = 15 combinations × 2 symbols × 3 folds = 90 evaluations`: a factor per swept parameter, in the form's order. */
function SweepSizeLine({
  order,
  swept,
  settings,
  symbolCount,
}: {
  order: string[];
  swept: SweptParams;
  settings: SweepSettings;
  symbolCount: number;
}) {
  const size = sweepSize(swept, settings, symbolCount);
  const names = order.filter((name) => name in swept);
  if (names.length === 0) return <span className="hint">Sweep at least one parameter: switch it from “fixed”.</span>;
  const factors = names.map((name) => `${valueCount(swept[name])}`).join(' × ');
  return (
    <span data-testid="sweep-size" data-combinations={size.combinations} data-evaluations={size.evaluations}>
      {names.length > 1 && `${factors} = `}
      <b>{formatNumber(size.gridCombinations)}</b> combinations
      {settings.method === 'random' && (
        <>
          {' '}
          → <b>{formatNumber(size.combinations)}</b> sampled
        </>
      )}
      {` × ${symbolCount} ${symbolCount === 1 ? 'symbol' : 'symbols'}`}
      {settings.walkForward && ` × ${size.folds} folds`} = <b>{formatNumber(size.evaluations)}</b> evaluations
    </span>
  );
}

/** The sweep form: the backtest form's fields, each parameter fixed or swept, then search, objective and walk-forward. */
export function SweepForm({ strategies, catalog, onSubmitted }: SweepFormProps) {
  const [swept, setSwept] = useState<SweptParams>({});
  const run = useRunFields(strategies, catalog, () => setSwept({}));
  const { strategy, strategyId, paramValues } = run;
  const [settings, setSettings] = useState<SweepSettings>(DEFAULT_SWEEP_SETTINGS);
  const { running: submitting, error: rejection, run: submit } = useAction(rejectionOf);

  const setSetting = <Name extends keyof SweepSettings>(name: Name, value: SweepSettings[Name]) =>
    setSettings((current) => ({ ...current, [name]: value }));
  const setSweptParam = (name: string, values: SweptParams[string] | undefined) =>
    setSwept((current) => {
      const { [name]: _previous, ...others } = current;
      return values ? { ...others, [name]: values } : others;
    });

  const submitSweep = (event: FormEvent) => {
    event.preventDefault();
    submit(async () => {
      const submitted = await api.createSweep({ body: sweepRequestOf(runRequestOf(run), strategy!, paramValues, swept, settings) });
      onSubmitted(submitted.sweep_id);
    });
  };

  const fieldErrors = rejection?.fields ?? {};
  const numberInput = (
    name: keyof SweepSettings,
    field: string,
    props: { min?: number; max?: number; step?: number; className?: string } = {},
  ) => (
    <input
      id={settingId(field)}
      type="number"
      {...props}
      value={settings[name] as string}
      onChange={(event) => setSetting(name, event.target.value as never)}
    />
  );
  return (
    <FieldIdPrefix.Provider value="sweep-">
      <form className="backtest-form sweep-form" data-testid="sweep-form" onSubmit={submitSweep} noValidate>
        <h2>New parameter sweep</h2>
        <FormError message={rejection?.message} />

        <RunFields run={run} fieldErrors={fieldErrors} />

        {strategy && (
          <fieldset>
            <legend>Parameters: fixed or swept</legend>
            <div className="param-grid">
              {Object.entries(strategy.parameters.properties).map(([name, schema]) => (
                <SweepParamField
                  key={`${strategyId}.${name}`}
                  name={name}
                  schema={schema}
                  value={paramValues[name]}
                  swept={swept[name]}
                  error={messagesUnder(fieldErrors, `${name in swept ? 'grid' : 'params'}.${name}`)}
                  onValueChange={(value) => run.setParamValue(name, value)}
                  onSweptChange={(values) => setSweptParam(name, values)}
                />
              ))}
            </div>
            <FieldError field="params" message={fieldErrors.params} />
          </fieldset>
        )}

        <fieldset>
          <legend>Search</legend>
          <div className="inline-choices">
            {(['grid', 'random'] as const).map((method) => (
              <label key={method} className="checkbox-label">
                <input
                  type="radio"
                  name="search"
                  value={method}
                  checked={settings.method === method}
                  onChange={() => setSetting('method', method)}
                />
                {method === 'grid' ? 'every combination (grid)' : 'a random sample'}
              </label>
            ))}
          </div>
          {settings.method === 'random' && (
            <div className="param-grid">
              <SettingField field="search.samples" label="Samples" error={messagesUnder(fieldErrors, 'search.samples')}>
                {numberInput('samples', 'search.samples', { min: 1, step: 1 })}
              </SettingField>
              <SettingField
                field="search.seed"
                label="Seed"
                error={messagesUnder(fieldErrors, 'search.seed')}
                hint="same seed, same sample"
              >
                {numberInput('seed', 'search.seed', { min: 0, step: 1 })}
              </SettingField>
            </div>
          )}
        </fieldset>

        <fieldset>
          <legend>Objective</legend>
          <div className="field-row objective-row">
            <SettingField field="objective.metric" label="Metric" error={messagesUnder(fieldErrors, 'objective.metric')}>
              <select
                id={settingId('objective.metric')}
                value={settings.metric}
                onChange={(event) => setSetting('metric', event.target.value as SweepMetric)}
              >
                {sweepMetrics.map((metric) => (
                  <option key={metric} value={metric}>
                    {metric}
                  </option>
                ))}
              </select>
            </SettingField>
            <SettingField field="objective.direction" label="Best is" error={messagesUnder(fieldErrors, 'objective.direction')}>
              <select
                id={settingId('objective.direction')}
                value={settings.direction}
                onChange={(event) => setSetting('direction', event.target.value as SweepSettings['direction'])}
              >
                <option value="">{settings.metric === 'max_drawdown' ? 'lowest (auto)' : 'highest (auto)'}</option>
                <option value="max">highest</option>
                <option value="min">lowest</option>
              </select>
            </SettingField>
            <SettingField field="objective.min_trades" label="Min trades" error={messagesUnder(fieldErrors, 'objective.min_trades')}>
              {numberInput('minTrades', 'objective.min_trades', { min: 0, step: 1 })}
            </SettingField>
          </div>
          <div className="hint">Combinations with fewer closed trades rank after all others.</div>
        </fieldset>

        <fieldset>
          <legend>
            <label className="checkbox-label">
              <input
                type="checkbox"
                data-testid="walk-forward-toggle"
                checked={settings.walkForward}
                onChange={(event) => setSetting('walkForward', event.target.checked)}
              />
              Walk-forward
            </label>
          </legend>
          {settings.walkForward ? (
            <div className="field-row walk-forward-row">
              <SettingField field="walk_forward.folds" label="Folds" error={messagesUnder(fieldErrors, 'walk_forward.folds')}>
                {numberInput('folds', 'walk_forward.folds', { min: 1, max: 50, step: 1 })}
              </SettingField>
              <SettingField
                field="walk_forward.in_sample_pct"
                label="In sample %"
                error={messagesUnder(fieldErrors, 'walk_forward.in_sample_pct')}
              >
                {numberInput('inSamplePct', 'walk_forward.in_sample_pct', { min: 1, max: 99, step: 1 })}
              </SettingField>
              <label className="checkbox-label anchored">
                <input type="checkbox" checked={settings.anchored} onChange={(event) => setSetting('anchored', event.target.checked)} />
                anchored
              </label>
            </div>
          ) : (
            <div className="hint">Choose the best combination in sample, fold by fold, and run it out of sample.</div>
          )}
        </fieldset>

        <SettingField
          field="materialize_top"
          label="Run the best as backtests"
          error={messagesUnder(fieldErrors, 'materialize_top')}
          hint="0 to 20: the best combinations run afterwards as ordinary backtests"
        >
          {numberInput('materializeTop', 'materialize_top', { min: 0, max: 20, step: 1, className: 'narrow-number' })}
        </SettingField>

        <div className="form-footer">
          <div className="sweep-size-line">
            <SweepSizeLine
              order={Object.keys(strategy?.parameters.properties ?? {})}
              swept={swept}
              settings={settings}
              symbolCount={run.chosenSymbols.length}
            />
          </div>
          <FieldError field="grid" message={fieldErrors.grid} />
          <FieldError field="search" message={fieldErrors.search} />
          <button type="submit" className="primary" disabled={submitting} data-testid="submit-sweep">
            {submitting ? 'Submitting…' : 'Run sweep'}
          </button>
        </div>
      </form>
    </FieldIdPrefix.Provider>
  );
}
