import type { ReactNode } from 'react';
import { boundsText, inputStep } from '../formModel';
import { humanize } from '../format';
import type { ParameterSchema } from '../types';
import { FieldError } from './FieldError';
import { useParamInputId } from './fieldIds';

interface ParamFieldProps {
  name: string;
  schema: ParameterSchema;
  value: string | boolean;
  error?: string;
  onChange: (value: string | boolean) => void;
  /** Where the API's message comes from (`params.<name>` unless said). */
  errorField?: string;
  /** Beside the label: the sweep form's fixed/swept switch. */
  labelAside?: ReactNode;
  /** In place of the one-value input: a swept parameter's values. */
  valuesInput?: ReactNode;
  className?: string;
}

/** One strategy parameter, its input chosen by the JSON schema type; the description is the hint. */
export function ParamField({ name, schema, value, error, onChange, errorField, labelAside, valuesInput, className }: ParamFieldProps) {
  const inputId = useParamInputId(name);
  const bounds = boundsText(schema);
  const withAside = (label: ReactNode) =>
    labelAside ? (
      <div className="param-heading">
        {label}
        {labelAside}
      </div>
    ) : (
      label
    );
  const textLabel = withAside(<label htmlFor={inputId}>{humanize(name)}</label>);
  return (
    <div className={`field param-field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`} title={schema.description}>
      {valuesInput ? (
        <>
          {textLabel}
          {valuesInput}
        </>
      ) : schema.type === 'boolean' ? (
        withAside(
          <label className="checkbox-label">
            <input id={inputId} name={name} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />
            {humanize(name)}
          </label>,
        )
      ) : schema.enum ? (
        <>
          {textLabel}
          <select id={inputId} name={name} value={String(value)} onChange={(event) => onChange(event.target.value)}>
            {schema.enum.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </>
      ) : (
        <>
          {textLabel}
          <input
            id={inputId}
            name={name}
            type="number"
            value={String(value)}
            min={schema.minimum ?? schema.exclusiveMinimum}
            max={schema.maximum ?? schema.exclusiveMaximum}
            step={inputStep(schema)}
            placeholder={schema.nullable ? 'off' : schema.default === undefined ? undefined : String(schema.default)}
            onChange={(event) => onChange(event.target.value)}
          />
        </>
      )}
      {(bounds || schema.description) && (
        <div className="hint">
          {bounds && <span className="bounds">{bounds}</span>} {schema.description}
        </div>
      )}
      <FieldError field={errorField ?? `params.${name}`} message={error} />
    </div>
  );
}
