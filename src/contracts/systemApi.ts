/** The routes around the tasks: strategies, market data, health, readiness and this contract as OpenAPI. */
import { z } from 'zod';
import { errorResponses } from './apiErrors';
import { timeframeSchema } from './backtestRequest';
import { defineRoutes } from './http';

export const strategiesResponseSchema = z.object({
  strategies: z.array(
    z.object({
      id: z.string(),
      description: z.string(),
      parameters: z.record(z.string(), z.unknown()).describe('JSON Schema of the params object, with defaults and ranges'),
    }),
  ),
});

export const dataProblemSchema = z.object({
  file: z.string().describe('path relative to the data root, e.g. XRP_KRW/1H/2022.parquet'),
  message: z.string(),
});

export const symbolsResponseSchema = z.object({
  symbols: z.array(
    z.object({
      symbol: z.string(),
      timeframes: z.array(
        z.object({
          timeframe: timeframeSchema,
          start_date: z.string().nullable().describe('first candle of the readable files; null when none is readable'),
          end_date: z.string().nullable(),
          candles: z.number().int(),
          problems: z.array(dataProblemSchema).describe('damaged files of this series: a request whose range needs one gets 422'),
        }),
      ),
    }),
  ),
});

const dependencyCheckSchema = z.object({ ok: z.boolean(), error: z.string().optional() });

export const readinessResponseSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ temporal: dependencyCheckSchema, postgres: dependencyCheckSchema, store: dependencyCheckSchema }),
});

export const systemRoutes = defineRoutes({
  listStrategies: {
    method: 'get',
    path: '/api/strategies',
    summary: 'Strategies and their parameter JSON schemas',
    responses: { 200: strategiesResponseSchema },
  },
  listMarketData: {
    method: 'get',
    path: '/api/data/symbols',
    summary: 'Available symbols, timeframes, date ranges and damaged files',
    responses: { 200: symbolsResponseSchema, ...errorResponses(503) },
  },
  health: {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    responses: { 200: z.object({ status: z.literal('ok') }) },
  },
  readiness: {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: Temporal, PostgreSQL and the store reachable',
    responses: { 200: readinessResponseSchema, 503: readinessResponseSchema },
  },
  openApi: {
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This document',
    responses: { 200: z.record(z.string(), z.unknown()) },
  },
});

export type StrategiesResponse = z.infer<typeof strategiesResponseSchema>;
export type SymbolsResponse = z.infer<typeof symbolsResponseSchema>;
