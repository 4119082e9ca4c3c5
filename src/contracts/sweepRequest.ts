/**
 * The sweep request (DESIGN.md section 12): one strategy over a grid (or a random sample of it) of
 * parameter combinations, ranked by an objective, optionally validated out of sample by walk-forward.
 * One zod schema gives the type, the 422 details (a bad value is named by its place: `grid.volume_window[2]`)
 * and the OpenAPI document. Caps that depend on the configuration and checks that need the market data are
 * the API's (src/api/routes/sweeps.ts).
 */
import { z } from 'zod';
import { executionParamsSchema } from '../engine/execution';
import { getStrategy } from '../engine/strategies';
import { checkSymbolsAndRange, runShape, strategyIdSchema, type RefinementContext } from './backtestRequest';
import { summaryRowSchema } from './resultRows';

/** The summary metrics of DESIGN.md section 5 a sweep can rank by. */
export const sweepMetrics = Object.keys(summaryRowSchema.shape).filter((name) => name !== 'symbol') as [
  Exclude<keyof typeof summaryRowSchema.shape, 'symbol'>,
  ...Exclude<keyof typeof summaryRowSchema.shape, 'symbol'>[],
];
export type SweepMetric = (typeof sweepMetrics)[number];

/** Lower is better for these; higher for every other metric. */
const MINIMISED_METRICS: ReadonlySet<string> = new Set(['max_drawdown']);

/** Which way a metric improves, when nobody said otherwise. */
export const metricDirection = (metric: string): 'max' | 'min' => (MINIMISED_METRICS.has(metric) ? 'min' : 'max');

export const MAX_FOLDS = 50;
export const MAX_MATERIALIZED = 20;
/** Values one swept parameter may take: more is a typo in `step`, and would only exhaust memory. */
export const MAX_VALUES_PER_PARAMETER = 10_000;

const stepRangeSchema = z.strictObject({
  from: z.number(),
  to: z.number(),
  step: z.number().gt(0, 'step must be above 0'),
});

const gridEntrySchema = z.union(
  [
    z
      .array(z.union([z.number(), z.boolean(), z.string()]))
      .min(1, 'give at least one value')
      .max(MAX_VALUES_PER_PARAMETER, `at most ${MAX_VALUES_PER_PARAMETER} values per parameter`),
    stepRangeSchema,
  ],
  {
    error: 'a list of values, or { from, to, step }',
  },
);

export const searchSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('grid') }),
  z.strictObject({
    method: z.literal('random'),
    samples: z.number().int().min(1),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
  }),
]);

export const objectiveSchema = z.strictObject({
  metric: z.enum(sweepMetrics, { error: (issue) => `unknown metric ${JSON.stringify(issue.input)}; one of ${sweepMetrics.join(', ')}` }),
  direction: z.enum(['max', 'min']).optional().describe('default: min for max_drawdown, max otherwise'),
  min_trades: z.number().int().min(0).default(1).describe('combinations with fewer closed trades rank after all others'),
});

export const walkForwardSchema = z.strictObject({
  folds: z.number().int().min(1).max(MAX_FOLDS),
  in_sample_pct: z.number().gt(0).lt(100).describe('share of each window in sample, in %'),
  anchored: z.boolean().default(false).describe('true: every in-sample part starts at the first candle of the range'),
});

const sweepShape = z.strictObject({
  ...runShape,
  grid: z.record(z.string(), gridEntrySchema).describe('swept parameters: each a list of values or { from, to, step } (inclusive)'),
  search: searchSchema.default({ method: 'grid' }),
  objective: objectiveSchema,
  walk_forward: walkForwardSchema.optional(),
  materialize_top: z.number().int().min(0).max(MAX_MATERIALIZED).default(0),
});

type StepRange = { from: number; to: number; step: number };

/** How many values `{ from, to, step }` stands for, without listing them (a web form counts as the user types). */
export const stepCount = ({ from, to, step }: StepRange) => Math.max(0, Math.floor((to - from) / step + 1e-9) + 1);

/** The values `{ from, to, step }` stands for: from, from + step, ... up to `to`, which is included when it lies on the step grid. */
export function stepValues(range: StepRange): number[] {
  // k * step from `from`, rounded to 12 significant digits so 0.1 + 2 * 0.05 is 0.2, not 0.20000000000000004
  return Array.from({ length: stepCount(range) }, (_, k) => Number((range.from + k * range.step).toPrecision(12)));
}

/** A swept parameter's schema: the strategy's own, else the execution parameters'. */
function parameterSchema(strategy: string, name: string): z.ZodType | undefined {
  const own = getStrategy(strategy as never).paramsSchema.shape as Record<string, z.ZodType>;
  return own[name] ?? (executionParamsSchema.shape as Record<string, z.ZodType>)[name];
}

const isIntegerParameter = (schema: z.ZodType) => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { type?: string; anyOf?: { type?: string }[] };
  return json.type === 'integer' || (json.anyOf ?? []).some((option) => option.type === 'integer');
};

type GridValue = number | boolean | string;

/**
 * The grid with every entry expanded and each value checked by its parameter's schema, parameters sorted
 * by name (the canonical order of combo ids). Problems are reported on `ctx`; undefined when there were any.
 */
function expandGrid(
  strategy: string,
  raw: Record<string, z.output<typeof gridEntrySchema>>,
  fixed: Record<string, unknown>,
  ctx: RefinementContext,
) {
  const names = Object.keys(raw).sort();
  if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['grid'], message: 'the grid is empty: sweep at least one parameter' });
  const grid: Record<string, GridValue[]> = {};
  let valid = names.length > 0;
  for (const name of names) {
    const schema = parameterSchema(strategy, name);
    const entry = raw[name];
    const fail = (message: string, path: (string | number)[] = []) => {
      ctx.addIssue({ code: 'custom', path: ['grid', name, ...path], message });
      valid = false;
    };
    if (!schema) {
      fail(`unknown parameter ${name} of ${strategy}; GET /api/strategies lists its parameters`);
      continue;
    }
    if (name in fixed) fail(`${name} is both fixed in params and swept in grid; keep it in one of them`);
    let values: GridValue[];
    if (Array.isArray(entry)) {
      values = entry;
    } else {
      if (isIntegerParameter(schema) && ![entry.from, entry.to, entry.step].every(Number.isInteger)) {
        fail(`${name} takes integers: from, to and step must be integers (got ${entry.from}, ${entry.to}, ${entry.step})`);
        continue;
      }
      if (entry.to < entry.from) {
        fail(`to (${entry.to}) is below from (${entry.from})`, ['to']);
        continue;
      }
      if (stepCount(entry) > MAX_VALUES_PER_PARAMETER) {
        fail(
          `from ${entry.from} to ${entry.to} in steps of ${entry.step} is ${stepCount(entry)} values; at most ${MAX_VALUES_PER_PARAMETER} per parameter`,
          ['step'],
        );
        continue;
      }
      values = stepValues(entry);
    }
    const seen = new Set<GridValue>();
    values.forEach((value, index) => {
      const checked = schema.safeParse(value);
      if (!checked.success) fail(`${JSON.stringify(value)}: ${checked.error.issues[0]?.message ?? 'invalid'}`, [index]);
      else if (seen.has(value)) fail(`${JSON.stringify(value)} is listed twice`, [index]);
      seen.add(value);
    });
    grid[name] = values;
  }
  return valid ? grid : undefined;
}

/** The number of combinations of an expanded grid. */
export const combinationsOf = (grid: Record<string, readonly unknown[]>) =>
  Object.values(grid).reduce((product, values) => product * values.length, 1);

function checkSweep(value: unknown, ctx: RefinementContext): void {
  const request = value as Record<string, unknown>;
  checkSymbolsAndRange(request, ctx);
  const strategy = strategyIdSchema.safeParse(request.strategy);
  const rawGrid = z.record(z.string(), gridEntrySchema).safeParse(request.grid);
  if (!strategy.success || !rawGrid.success) return;
  const fixed = (request.params ?? {}) as Record<string, unknown>;
  // Fixed parameters: each must be valid on its own (the swept ones fill the rest).
  const ownShape = getStrategy(strategy.data).paramsSchema.shape as Record<string, z.ZodType>;
  const executionShape = executionParamsSchema.shape as Record<string, z.ZodType>;
  for (const [name, given] of Object.entries(fixed)) {
    const schema = ownShape[name] ?? executionShape[name];
    if (!schema) {
      ctx.addIssue({ code: 'custom', path: ['params', name], message: `unknown parameter ${name} of ${strategy.data}` });
      continue;
    }
    const checked = schema.safeParse(given);
    if (!checked.success) ctx.addIssue({ code: 'custom', path: ['params', name], message: checked.error.issues[0]?.message ?? 'invalid' });
  }
  const grid = expandGrid(strategy.data, rawGrid.data, fixed, ctx);
  const search = searchSchema.safeParse(request.search ?? { method: 'grid' });
  if (grid && search.success && search.data.method === 'random' && search.data.samples > combinationsOf(grid)) {
    ctx.addIssue({
      code: 'custom',
      path: ['search', 'samples'],
      message: `${search.data.samples} samples asked for, but the grid holds only ${combinationsOf(grid)} combinations`,
    });
  }
}

/**
 * Validates a sweep and returns it normalised: symbols upper-cased, the grid expanded (parameters sorted by
 * name), every fixed parameter's default applied (the swept ones excluded), the objective's direction set.
 */
export const sweepRequestSchema = sweepShape.superRefine(checkSweep, { when: () => true }).transform((request, ctx) => {
  const grid = expandGrid(request.strategy, request.grid, request.params, ctx);
  if (!grid) return z.NEVER;
  const schema = z.strictObject({ ...getStrategy(request.strategy).paramsSchema.shape, ...executionParamsSchema.shape });
  // Every parameter with its default (a swept one stands in with its first value), then the swept ones left
  // out: `params` holds exactly what is fixed.
  const complete = schema.safeParse({
    ...Object.fromEntries(Object.entries(grid).map(([name, values]) => [name, values[0]])),
    ...request.params,
  });
  if (!complete.success) return z.NEVER;
  const params = Object.fromEntries(Object.entries(complete.data).filter(([name]) => !(name in grid)));
  const direction = request.objective.direction ?? metricDirection(request.objective.metric);
  return { ...request, grid, params, objective: { ...request.objective, direction } };
});

/** What a client sends (before defaults and expansion). */
export type SweepRequestInput = z.input<typeof sweepRequestSchema>;
/** A validated, normalised sweep: what the workflow and its activities receive. */
export type SweepRequest = z.output<typeof sweepRequestSchema>;
