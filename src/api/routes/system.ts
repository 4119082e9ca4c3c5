/** Handlers of the routes around the tasks: strategies, market data, liveness, readiness, the OpenAPI document. */
import { z } from 'zod';
import { systemRoutes, type StrategyListingResponse } from '../../contracts/api';
import { paramsSchemaFor } from '../../contracts/backtestRequest';
import { strategyRegistry, type StrategyRegistry } from '../../engine/strategies';
import type { RouteHandlers } from '../bindRoutes';
import type { ApiDependencies } from '../dependencies';

const CHECK_DEADLINE_MS = 1500;

/** Whether a dependency answers within the deadline, and if not, why. */
async function check(probe: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_DEADLINE_MS} ms`)), CHECK_DEADLINE_MS);
  });
  try {
    await Promise.race([probe(), deadline]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Every strategy of the registry as /api/strategies lists it. */
function strategyListings(registry: StrategyRegistry): StrategyListingResponse[] {
  return registry.list().map((listing) =>
    listing.available
      ? {
          id: listing.strategy.id,
          description: listing.strategy.description,
          source: listing.source,
          version: listing.version,
          file: listing.file ?? null,
          available: true,
          error: null,
          parameters: z.toJSONSchema(paramsSchemaFor(listing.strategy), { io: 'input' }) as Record<string, unknown>,
        }
      : {
          id: listing.id,
          description: '',
          source: listing.source,
          version: listing.version,
          file: listing.file,
          available: false,
          error: listing.error,
          parameters: {},
        },
  );
}

export function systemHandlers(deps: ApiDependencies, openApiDocument: Record<string, unknown>): RouteHandlers<typeof systemRoutes> {
  // The registry is loaded before the app is created and stays as it is while the process runs.
  const strategies = strategyListings(strategyRegistry());
  return {
    listStrategies: async () => ({ status: 200, body: { strategies } }),
    listMarketData: async () => ({ status: 200, body: { symbols: await deps.marketData.list() } }),
    health: async () => ({ status: 200, body: { status: 'ok' } }),
    readiness: async () => {
      const [temporal, postgres, store] = await Promise.all([
        check(() => deps.temporal.workflowService.getSystemInfo({})),
        check(() => deps.pool.query('SELECT 1')),
        check(() => deps.store.list('')),
      ]);
      const ready = temporal.ok && postgres.ok && store.ok;
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks: { temporal, postgres, store } } };
    },
    openApi: async () => ({ status: 200, body: openApiDocument }),
  };
}
