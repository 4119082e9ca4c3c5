/** The strategies and their parameter JSON schemas (from the same zod schemas that validate requests). */
import { Router } from 'express';
import { z } from 'zod';
import { paramsSchemaFor } from '../../contracts/backtestRequest';
import { strategies, strategyIds } from '../../engine/strategies';

export function strategiesRouter(): Router {
  const router = Router();
  const body = {
    strategies: strategyIds.map((id) => ({
      id,
      description: strategies[id].description,
      parameters: z.toJSONSchema(paramsSchemaFor(id), { io: 'input' }),
    })),
  };
  router.get('/api/strategies', (_request, response) => {
    response.json(body);
  });
  return router;
}
