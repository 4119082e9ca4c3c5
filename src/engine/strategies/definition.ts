import { z } from 'zod';
import { executionParamsSchema } from '../execution';
import type { Strategy } from '../strategy';
import { allocateCandles } from '../candles';
import type { Candles } from '../types';

/** Strategy ids: they name strategies in requests, URLs, the CLI and a VARCHAR(100) column. */
export const STRATEGY_ID_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

const SMOKE_TEST_BARS = 256;

/**
 * A small deterministic series (two overlaid waves, wicks and volume that vary) on which a plugin's functions are
 * called once with its default parameters when it is loaded: a strategy that throws or returns nonsense there is
 * refused at start, not discovered in a worker.
 */
function smokeTestCandles(): Candles {
  const candles = allocateCandles(SMOKE_TEST_BARS);
  let previousClose = 100;
  for (let i = 0; i < candles.length; i++) {
    const close = 100 + 10 * Math.sin(i / 9) + 4 * Math.sin(i / 2.3);
    candles.timestamp[i] = 1_672_531_200_000 + i * 3_600_000;
    candles.open[i] = previousClose;
    candles.close[i] = close;
    candles.high[i] = Math.max(previousClose, close) * (1 + 0.004 * (1 + Math.sin(i)));
    candles.low[i] = Math.min(previousClose, close) * (1 - 0.004 * (1 + Math.cos(i)));
    candles.volume[i] = 1000 + 600 * Math.abs(Math.sin(i / 3));
    previousClose = close;
  }
  return candles;
}

/** Calls a signal function on the smoke-test series; a problem in words, or undefined. */
function smokeTest(name: string, run: (candles: Candles, out: Uint8Array) => unknown): string | undefined {
  const candles = smokeTestCandles();
  const out = new Uint8Array(candles.length);
  let count: unknown;
  try {
    count = run(candles, out);
  } catch (error) {
    return `${name} threw on a ${candles.length}-bar test series with the default parameters: ${(error as Error)?.message ?? String(error)}`;
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    return `${name} returned ${JSON.stringify(count)}, expected the number of signals it wrote (an integer >= 0)`;
  }
  const written = out.reduce((sum, flag) => sum + (flag === 0 ? 0 : 1), 0);
  if (written !== count) return `${name} returned ${count} but wrote ${written} signals into out on the test series`;
  return undefined;
}

const isFunction = (value: unknown): value is (...args: unknown[]) => unknown => typeof value === 'function';

/** The problems of the parameters schema, or the defaults it gives. */
function checkParamsSchema(schema: unknown): { problems: string[]; defaults?: Record<string, unknown> } {
  if (!(schema instanceof z.ZodObject)) {
    return { problems: ['paramsSchema must be a zod object (z.object({...}) with the z of the strategy kit)'] };
  }
  const problems: string[] = [];
  const names = Object.keys(schema.shape);
  if (!names.includes('hold_period_bars')) {
    problems.push('paramsSchema must include hold_period_bars (holdPeriodBars(n) or holdPeriodBarsSchema of the strategy kit)');
  }
  const clashes = names.filter((name) => name in executionParamsSchema.shape);
  if (clashes.length > 0) {
    problems.push(`parameter names ${clashes.join(', ')} are execution parameters, common to every strategy: rename them`);
  }
  try {
    z.toJSONSchema(schema, { io: 'input' });
  } catch (error) {
    problems.push(`paramsSchema cannot be published as JSON Schema: ${(error as Error).message}`);
  }
  const defaults = schema.safeParse({});
  if (!defaults.success) {
    const missing = defaults.error.issues.map((issue) => issue.path.join('.')).join(', ');
    problems.push(`every parameter needs a default (.default(...)); without one: ${missing}`);
    return { problems };
  }
  const holdPeriod = (defaults.data as Record<string, unknown>).hold_period_bars;
  if (names.includes('hold_period_bars') && !(Number.isInteger(holdPeriod) && (holdPeriod as number) >= 0)) {
    problems.push(`hold_period_bars defaults to ${JSON.stringify(holdPeriod)}, expected an integer >= 0`);
  }
  return { problems, defaults: defaults.data as Record<string, unknown> };
}

/**
 * What is wrong with a plugin's default export, as sentences a plugin author can act on; empty when it is a
 * strategy (`defineStrategy({...})`: id, description, parameters schema, `signalsInto`, optional `exitsInto` and
 * `warmupBars`). The functions are run once on a small series with the default parameters.
 */
export function strategyDefinitionProblems(value: unknown): string[] {
  if (value === undefined) return ['no default export: end the module with `export default defineStrategy({...})`'];
  if (isFunction(value)) return ['the default export is a function; export the strategy itself: `export default defineStrategy({...})`'];
  if (typeof value !== 'object' || value === null)
    return [`the default export is ${JSON.stringify(value)}, expected defineStrategy({...})`];
  const definition = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof definition.id !== 'string' || !STRATEGY_ID_PATTERN.test(definition.id)) {
    problems.push(
      `id: got ${JSON.stringify(definition.id)}, expected lower-case letters, digits and _ starting with a letter (at most 64)`,
    );
  }
  if (typeof definition.description !== 'string' || definition.description.trim() === '') {
    problems.push('description: expected a sentence saying what the strategy does');
  }
  const { problems: schemaProblems, defaults } = checkParamsSchema(definition.paramsSchema);
  problems.push(...schemaProblems);
  if (!isFunction(definition.signalsInto)) problems.push('signalsInto: expected a function (candles, params, out) => number of signals');
  for (const optional of ['exitsInto', 'warmupBars'] as const) {
    if (definition[optional] !== undefined && !isFunction(definition[optional]))
      problems.push(`${optional}: expected a function or nothing`);
  }
  if (problems.length > 0 || defaults === undefined) return problems;

  const strategy = definition as unknown as Strategy;
  const params = { ...defaults, ...executionParamsSchema.parse({}) };
  for (const [name, run] of [
    ['signalsInto', strategy.signalsInto],
    ['exitsInto', strategy.exitsInto],
  ] as const) {
    if (run === undefined) continue;
    const problem = smokeTest(name, (candles, out) => run.call(strategy, candles, params, out));
    if (problem) problems.push(problem);
  }
  if (strategy.warmupBars !== undefined) {
    let warmup: unknown;
    try {
      warmup = strategy.warmupBars(params);
    } catch (error) {
      warmup = `an error: ${(error as Error)?.message ?? String(error)}`;
    }
    if (typeof warmup !== 'number' || !Number.isInteger(warmup) || warmup < 0) {
      problems.push(`warmupBars gave ${JSON.stringify(warmup)} for the default parameters, expected an integer >= 0`);
    }
  }
  return problems;
}
