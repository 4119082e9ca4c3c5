/** The Express app: JSON API, health checks and the web page. No listening here: server.ts does that. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { requireBearerToken } from './auth';
import type { ApiDependencies } from './dependencies';
import { errorHandler, HttpError } from './httpError';
import { createApiMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { backtestsRouter } from './routes/backtests';
import { healthRouter } from './routes/health';
import { marketDataRouter } from './routes/marketData';
import { strategiesRouter } from './routes/strategies';
import { taskManagementRouter } from './routes/taskManagement';

export const BODY_LIMIT = '256kb';

/** The built web page (`npm run build` runs `vite build web`). */
export const WEB_DIST = join(__dirname, '..', '..', 'web', 'dist');

export function createApp(deps: ApiDependencies): Express {
  const app = express();
  const metrics = createApiMetrics(deps.pool);
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
  app.use(healthRouter(deps));
  app.get('/metrics', async (_request, response) => {
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  if (deps.config.API_TOKEN) app.use('/api', requireBearerToken(deps.config.API_TOKEN));
  app.post(
    ['/api/backtests', '/api/backtest/run'],
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
  app.use(marketDataRouter(deps));
  const openApiDocument = buildOpenApiDocument(require('../../package.json').version);
  app.get('/api/openapi.json', (_request, response) => {
    response.json(openApiDocument);
  });
  app.use(strategiesRouter());
  app.use(taskManagementRouter(deps));
  app.use(backtestsRouter(deps, metrics.submissions));
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
  app.use(errorHandler((error) => deps.logger.error({ err: error }, 'request failed')));
  return app;
}
