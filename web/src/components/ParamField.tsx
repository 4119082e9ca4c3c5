import { boundsText, inputStep } from '../formModel';
import { humanize } from '../format';
import type { ParameterSchema } from '../types';
import { FieldError } from './FieldError';

interface ParamFieldProps {
  name: string;
  schema: ParameterSchema;
  value: string | boolean;
  error?: string;
  onChange: (value: string | boolean) => void;
}

/** One strategy parameter, its input chosen by the JSON schema type; the description is the hint. */
export function ParamField({ name, schema, value, error, onChange }: ParamFieldProps) {
  const inputId = `param-${name}`;
  const bounds = boundsText(schema);
  return (
    <div className={`field param-field${error ? ' has-error' : ''}`} title={schema.description}>
      {schema.type === 'boolean' ? (
        <label className="checkbox-label">
          <input id={inputId} name={name} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />
          {humanize(name)}
        </label>
      ) : schema.enum ? (
        <>
          <label htmlFor={inputId}>{humanize(name)}</label>
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
          <label htmlFor={inputId}>{humanize(name)}</label>
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
      <FieldError field={`params.${name}`} message={error} />
    </div>
  );
}
