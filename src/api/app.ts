/** The Express app: the routes of the HTTP contract, metrics and the web page. No listening here: server.ts does that. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { backtestRoutes, sweepRoutes, systemRoutes } from '../contracts/api';
import { requireBearerToken } from './auth';
import { bindRoutes } from './bindRoutes';
import type { ApiDependencies } from './dependencies';
import { errorHandler, HttpError } from './httpError';
import { createApiMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { backtestHandlers } from './routes/backtests';
import { sweepHandlers } from './routes/sweeps';
import { systemHandlers } from './routes/system';

export const BODY_LIMIT = '256kb';

/** The built web page (`npm run build` runs `vite build web`). */
export const WEB_DIST = join(__dirname, '..', '..', 'web', 'dist');

/** Outages are expected and answered with 503: logged once per dependency and minute, not per request. */
function outageLogger(deps: ApiDependencies): (error: unknown) => void {
  const lastLogged = new Map<string, number>();
  return (error) => {
    const name = (error as Error).name ?? 'Error';
    const now = Date.now();
    if (now - (lastLogged.get(name) ?? 0) < 60_000) return;
    lastLogged.set(name, now);
    deps.logger.warn({ err: (error as Error).message }, 'a dependency is unavailable: answering 503');
  };
}

export function createApp(deps: ApiDependencies): Express {
  const app = express();
  const metrics = createApiMetrics(deps.repository);
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(metrics.recordRequests);
  app.use(
    pinoHttp({
      logger: deps.logger,
      customProps: (request) => ({ task_id: (request as express.Request).params?.id }),
      autoLogging: { ignore: (request) => request.url === '/healthz' || request.url === '/metrics' },
    }),
  );
  app.get('/metrics', async (_request, response) => {
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  if (deps.config.API_TOKEN) app.use('/api', requireBearerToken(deps.config.API_TOKEN));
  app.post(
    [backtestRoutes.submitBacktest.path, backtestRoutes.submitBacktestLegacy.path, sweepRoutes.createSweep.path],
    rateLimit({
      windowMs: 60_000,
      limit: deps.config.SUBMISSIONS_PER_MINUTE,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_request, _response, next) =>
        next(
          new HttpError(
            429,
            'too_many_submissions',
            `at most ${deps.config.SUBMISSIONS_PER_MINUTE} submissions per minute; try again shortly`,
          ),
        ),
    }),
  );
  app.use(express.json({ limit: BODY_LIMIT }));
  const router = Router();
  const bindOptions = { validateResponses: deps.validateResponses };
  bindRoutes(router, systemRoutes, systemHandlers(deps, buildOpenApiDocument(require('../../package.json').version)), bindOptions);
  bindRoutes(router, backtestRoutes, backtestHandlers(deps, metrics.submissions), bindOptions);
  bindRoutes(router, sweepRoutes, sweepHandlers(deps, metrics.submissions), bindOptions);
  app.use(router);
  app.use('/api', (request, _response, next) => {
    next(new HttpError(404, 'not_found', `no route ${request.method} ${request.originalUrl}`));
  });
  if (existsSync(WEB_DIST)) {
    app.use(express.static(WEB_DIST));
  } else {
    app.get('/', (_request, response) => {
      response.type('text').send('The web page is not built yet: run `npm run build`. The API is under /api.');
    });
  }
  app.use(errorHandler((error) => deps.logger.error({ err: error }, 'request failed'), outageLogger(deps)));
  return app;
}
