import { createContext, useContext } from 'react';

/**
 * Both forms stay mounted, one hidden, so a user who leaves the sweep form finds it as they left it; the ids
 * of their inputs differ by this prefix: none in the backtest form, `sweep-` in the sweep form.
 */
export const FieldIdPrefix = createContext('');

/** The id of a form's input named `name` (`strategy`, `param-num_bins`) in the form around it. */
export function useFieldId(): (name: string) => string {
  const prefix = useContext(FieldIdPrefix);
  return (name) => `${prefix}${name}`;
}

/** The id of a parameter's input: its label points there, and a swept parameter's inputs start there. */
export const useParamInputId = (name: string) => useFieldId()(`param-${name}`);
