import { formatNumber } from '../format';
import { choicesOf, listTokens, startSweeping, sweepsAsRange, valueCount, type SweepMode, type SweptValues } from '../sweepFormModel';
import type { ParameterSchema } from '../types';
import { useParamInputId } from './fieldIds';
import { ParamField } from './ParamField';

interface SweepParamFieldProps {
  name: string;
  schema: ParameterSchema;
  /** The fixed value. */
  value: string | boolean;
  /** Undefined while the parameter is fixed. */
  swept: SweptValues | undefined;
  error?: string;
  onValueChange: (value: string | boolean) => void;
  onSweptChange: (swept: SweptValues | undefined) => void;
}

/** Ticked options of a boolean or a choice. */
interface ValuesProps {
  /** The first input's id, where the parameter's label points. */
  inputId: string;
  swept: SweptValues;
}

function ChoiceValues({ inputId, choices, swept, onChange }: ValuesProps & { choices: string[]; onChange: (list: string) => void }) {
  const ticked = listTokens(swept.list);
  const toggle = (choice: string, on: boolean) =>
    onChange(choices.filter((option) => (option === choice ? on : ticked.includes(option))).join(', '));
  return (
    <div className="choice-values">
      {choices.map((choice, index) => (
        <label key={choice} className="checkbox-label">
          <input
            id={index === 0 ? inputId : undefined}
            type="checkbox"
            checked={ticked.includes(choice)}
            onChange={(event) => toggle(choice, event.target.checked)}
          />
          {choice}
        </label>
      ))}
    </div>
  );
}

function RangeValues({
  inputId,
  name,
  schema,
  swept,
  onChange,
}: ValuesProps & { name: string; schema: ParameterSchema; onChange: (swept: SweptValues) => void }) {
  const input = (part: 'from' | 'to' | 'step') => (
    <input
      id={part === 'from' ? inputId : `${inputId}-${part}`}
      type="number"
      aria-label={`${name} ${part}`}
      step={schema.type === 'integer' ? 1 : 'any'}
      value={swept[part]}
      onChange={(event) => onChange({ ...swept, [part]: event.target.value })}
    />
  );
  return (
    <div className="range-values">
      {input('from')}
      <span>to</span>
      {input('to')}
      <span>step</span>
      {input('step')}
    </div>
  );
}

/** One parameter of the sweep form: fixed (the backtest form's input), or swept as a list of values or from/to/step. */
export function SweepParamField({ name, schema, value, swept, error, onValueChange, onSweptChange }: SweepParamFieldProps) {
  const inputId = useParamInputId(name);
  const choices = choicesOf(schema);
  const mode: SweepMode = swept?.mode ?? 'fixed';
  const chooseMode = (next: SweepMode) =>
    onSweptChange(next === 'fixed' ? undefined : swept ? { ...swept, mode: next } : startSweeping(schema, value, next));
  const modeSelect = (
    <select
      className="sweep-mode"
      aria-label={`${name}: fixed or swept`}
      data-testid={`sweep-mode-${name}`}
      value={mode}
      onChange={(event) => chooseMode(event.target.value as SweepMode)}
    >
      <option value="fixed">fixed</option>
      <option value="list">{choices ? 'swept' : 'list'}</option>
      {sweepsAsRange(schema) && <option value="range">range</option>}
    </select>
  );

  let valuesInput;
  if (swept) {
    const count = valueCount(swept);
    valuesInput = (
      <div className="swept-values">
        {choices ? (
          <ChoiceValues inputId={inputId} choices={choices} swept={swept} onChange={(list) => onSweptChange({ ...swept, list })} />
        ) : swept.mode === 'list' ? (
          <input
            id={inputId}
            type="text"
            inputMode="decimal"
            placeholder="values, e.g. 20, 40, 60"
            value={swept.list}
            onChange={(event) => onSweptChange({ ...swept, list: event.target.value })}
          />
        ) : (
          <RangeValues inputId={inputId} name={name} schema={schema} swept={swept} onChange={onSweptChange} />
        )}
        <span className="value-count" data-testid={`value-count-${name}`}>
          {formatNumber(count)} {count === 1 ? 'value' : 'values'}
        </span>
      </div>
    );
  }

  return (
    <ParamField
      name={name}
      schema={schema}
      value={value}
      error={error}
      onChange={onValueChange}
      errorField={swept ? `grid.${name}` : undefined}
      labelAside={modeSelect}
      valuesInput={valuesInput}
      className={swept ? 'swept' : undefined}
    />
  );
}
