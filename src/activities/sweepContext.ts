/**
 * What every sweep activity derives from a sweep's plan, computed once per worker and sweep: the strategy,
 * the grid's layout, the combo-id list (the whole grid, or the seeded sample), the swept parameters' column
 * types, and the objective.
 */
import { z } from 'zod';
import type { SweepRequest } from '../contracts/sweepRequest';
import { executionParamsSchema } from '../engine/execution';
import type { StrategyRegistry } from '../engine/strategies';
import type { Strategy } from '../engine/strategy';
import { comboIdRange, gridLayout, sampleComboIds, type GridLayout, type Objective } from '../engine/sweep';
import { periodsPerYear } from '../engine/timeframes';
import type { BlobStore } from '../storage/providers';
import { readPlan, type SweepPlanFile } from '../storage/sweepStaging';
import type { ParamColumn, ParamColumnType } from '../storage/sweepTables';
import { checkedStrategy } from './strategyCheck';

export interface SweepContext {
  plan: SweepPlanFile;
  request: SweepRequest;
  /** As this worker loaded it, checked against the version the API validated the sweep against. */
  strategy: Strategy;
  strategyVersion: string;
  layout: GridLayout;
  /** Every combo id the sweep evaluates, ascending; chunks are position ranges of it. */
  comboIds: Float64Array;
  paramColumns: ParamColumn[];
  objective: Objective;
  periodsPerYear: number;
}

/** The combo ids a sweep evaluates: the whole grid in canonical order, or the seeded sample (sorted). */
export function comboIdsOf(request: SweepRequest, size: number): Float64Array {
  return request.search.method === 'random' ? sampleComboIds(size, request.search.samples, request.search.seed) : comboIdRange(0, size);
}

function columnType(schema: z.ZodType | undefined, values: readonly unknown[]): ParamColumnType {
  if (values.every((value) => typeof value === 'boolean')) return 'bool';
  if (values.some((value) => typeof value === 'string')) return 'utf8';
  const json = schema
    ? (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { type?: string; anyOf?: { type?: string }[] })
    : {};
  const integer = json.type === 'integer' || (json.anyOf ?? []).some((option) => option.type === 'integer');
  return integer ? 'int64' : 'float64';
}

export function createSweepContexts(store: BlobStore, strategies: StrategyRegistry, workerId: string) {
  const contexts = new Map<string, Promise<SweepContext>>();
  const MAX_CONTEXTS = 8;

  async function build(sweepId: string): Promise<SweepContext> {
    const plan = await readPlan(store, sweepId);
    const { request } = plan;
    const { strategy, version } = checkedStrategy(strategies, request.strategy, plan.strategy_version, workerId);
    const layout = gridLayout(request.grid);
    const shapes = { ...executionParamsSchema.shape, ...strategy.paramsSchema.shape } as Record<string, z.ZodType>;
    return {
      plan,
      request,
      strategy,
      strategyVersion: version,
      layout,
      comboIds: comboIdsOf(request, layout.size),
      paramColumns: layout.names.map((name, index) => ({ name, type: columnType(shapes[name], layout.values[index]) })),
      objective: request.objective,
      periodsPerYear: periodsPerYear(request.timeframe),
    };
  }

  /** The context of a planned sweep (the plan must be written). */
  return function sweepContext(sweepId: string): Promise<SweepContext> {
    let context = contexts.get(sweepId);
    if (!context) {
      context = build(sweepId);
      context.catch(() => contexts.delete(sweepId));
      contexts.set(sweepId, context);
      if (contexts.size > MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
    }
    return context;
  };
}

export type SweepContexts = ReturnType<typeof createSweepContexts>;
