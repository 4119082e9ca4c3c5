/**
 * The sweep form's rules, apart from its markup: each parameter fixed (its value from formModel) or swept (a list
 * of values, or from/to/step), the number of combinations and evaluations that makes, and the request the API takes.
 * The API checks every value; the form only counts, so a bad value reaches the API and comes back named.
 */
import { stepCount } from '../../src/contracts/sweepRequest';
import { inputStep, paramsForSubmission, type ParamValues } from './formModel';
import type { GridEntry, ParameterSchema, Strategy, SweepMetric, SweepSubmission } from './types';

export type SweepMode = 'fixed' | 'list' | 'range';

/** A swept parameter as the form holds it: the text of its inputs. */
export interface SweptValues {
  mode: Exclude<SweepMode, 'fixed'>;
  /** Values separated by commas or spaces (`20, 40, 60`); for a boolean or a choice, the ticked options. */
  list: string;
  from: string;
  to: string;
  step: string;
}

/** The swept parameters by name; every other parameter is fixed at its form value. */
export type SweptParams = Record<string, SweptValues>;

/** The options of a boolean or a choice, swept by ticking them; undefined for numbers. */
export function choicesOf(schema: ParameterSchema): string[] | undefined {
  if (schema.type === 'boolean') return ['true', 'false'];
  return schema.enum;
}

/** Numbers can be swept as from/to/step too. */
export const sweepsAsRange = (schema: ParameterSchema) => schema.type === 'integer' || schema.type === 'number';

/** A parameter just switched to swept: every option of a choice; for a number its current value, and a step to edit. */
export function startSweeping(schema: ParameterSchema, value: string | boolean, mode: SweptValues['mode']): SweptValues {
  const text = String(value === '' && typeof schema.default === 'number' ? schema.default : value);
  return { mode, list: choicesOf(schema)?.join(', ') ?? text, from: text, to: text, step: String(inputStep(schema)) };
}

export const listTokens = (text: string) => text.split(/[\s,;]+/).filter(Boolean);

/** A typed value as the API takes it; a number that does not parse goes as typed, so the API's message names it. */
function listValue(schema: ParameterSchema, token: string): number | boolean | string {
  if (schema.type === 'boolean') return token === 'true' ? true : token === 'false' ? false : token;
  if (schema.type === 'string') return token;
  const number = Number(token);
  return Number.isFinite(number) ? number : token;
}

/** An emptied number input: null, which the API refuses by name. */
const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

export function gridEntryOf(schema: ParameterSchema, swept: SweptValues): GridEntry {
  if (swept.mode === 'list') return listTokens(swept.list).map((token) => listValue(schema, token));
  return { from: numberOrNull(swept.from), to: numberOrNull(swept.to), step: numberOrNull(swept.step) } as GridEntry;
}

/** How many values a swept parameter stands for; 0 while its range cannot be read. */
export function valueCount(swept: SweptValues): number {
  if (swept.mode === 'list') return listTokens(swept.list).length;
  const [from, to, step] = [swept.from, swept.to, swept.step].map(numberOrNull);
  if (from === null || to === null || step === null || !(step > 0) || ![from, to].every(Number.isFinite)) return 0;
  return stepCount({ from, to, step });
}

/** Search, objective, walk-forward and materialize_top, as the text of their inputs. */
export interface SweepSettings {
  method: 'grid' | 'random';
  samples: string;
  seed: string;
  metric: SweepMetric;
  /** '' lets the API choose (min for max_drawdown, max otherwise). */
  direction: '' | 'max' | 'min';
  minTrades: string;
  walkForward: boolean;
  folds: string;
  inSamplePct: string;
  anchored: boolean;
  materializeTop: string;
}

export const DEFAULT_SWEEP_SETTINGS: SweepSettings = {
  method: 'grid',
  samples: '20',
  seed: '1',
  metric: 'sharpe',
  direction: '',
  minTrades: '1',
  walkForward: false,
  folds: '3',
  inSamplePct: '70',
  anchored: false,
  materializeTop: '0',
};

export interface SweepSize {
  /** The grid's combinations: the product of the swept parameters' value counts. */
  gridCombinations: number;
  /** Those evaluated per symbol and segment: the grid, or the random sample. */
  combinations: number;
  /** combinations x symbols x max(1, folds), as the API counts them. */
  evaluations: number;
  folds: number;
}

export function sweepSize(swept: SweptParams, settings: SweepSettings, symbolCount: number): SweepSize {
  const gridCombinations = Object.values(swept).reduce((product, values) => product * valueCount(values), 1);
  const samples = Number(settings.samples) || 0;
  const combinations = settings.method === 'random' ? samples : gridCombinations;
  const folds = settings.walkForward ? Number(settings.folds) || 0 : 0;
  return { gridCombinations, combinations, evaluations: combinations * symbolCount * Math.max(1, folds), folds };
}

/** The request body: fixed parameters in `params`, swept ones in `grid`, the settings where the API expects them. */
export function sweepRequestOf(
  run: Pick<SweepSubmission, 'strategy' | 'symbols' | 'start_date' | 'end_date' | 'timeframe'>,
  strategy: Strategy,
  paramValues: ParamValues,
  swept: SweptParams,
  settings: SweepSettings,
): SweepSubmission {
  const fixedValues = Object.fromEntries(Object.entries(paramValues).filter(([name]) => !(name in swept)));
  const schemas = strategy.parameters.properties;
  const minTrades = numberOrNull(settings.minTrades);
  return {
    ...run,
    params: paramsForSubmission(strategy, fixedValues),
    grid: Object.fromEntries(Object.entries(swept).map(([name, values]) => [name, gridEntryOf(schemas[name], values)])),
    search:
      settings.method === 'random'
        ? ({ method: 'random', samples: numberOrNull(settings.samples), seed: numberOrNull(settings.seed) } as SweepSubmission['search'])
        : { method: 'grid' },
    objective: {
      metric: settings.metric,
      direction: settings.direction || undefined,
      min_trades: minTrades === null ? undefined : minTrades,
    },
    walk_forward: settings.walkForward
      ? ({
          folds: numberOrNull(settings.folds),
          in_sample_pct: numberOrNull(settings.inSamplePct),
          anchored: settings.anchored,
        } as SweepSubmission['walk_forward'])
      : undefined,
    materialize_top: numberOrNull(settings.materializeTop) ?? 0,
  };
}
