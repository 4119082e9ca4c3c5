/** What market data exists: symbols, timeframes, date ranges. */
import { Router } from 'express';
import type { ApiDependencies } from '../dependencies';

export function marketDataRouter(deps: ApiDependencies): Router {
  const router = Router();
  router.get('/api/data/symbols', async (_request, response) => {
    response.json({ symbols: await deps.listMarketData() });
  });
  return router;
}
