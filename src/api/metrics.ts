/** Prometheus metrics of the API: request counts and latencies by route, submissions, tasks by status. */
import type { RequestHandler } from 'express';
import type { BacktestResultsRepository } from '../storage/backtestResults';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  recordRequests: RequestHandler;
  submissions: Counter<'strategy'>;
}

export function createApiMetrics(repository: BacktestResultsRepository): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const submissions = new Counter({
    name: 'backtest_submissions_total',
    help: 'Backtests accepted by the API',
    labelNames: ['strategy'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'backtest_tasks',
    help: 'Tasks in PostgreSQL by the status users see',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      // While PostgreSQL is down the gauge keeps its last values.
      const counts = await repository.countByStatus().catch(() => undefined);
      if (!counts) return;
      this.reset();
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  const recordRequests: RequestHandler = (request, response, next) => {
    const stop = requests.startTimer();
    response.once('finish', () => {
      // The matched route pattern keeps label cardinality bounded (no task ids).
      const route = request.route?.path ? String(request.route.path) : 'unmatched';
      stop({ method: request.method, route, status: String(response.statusCode) });
    });
    next();
  };
  return { registry, recordRequests, submissions };
}
