/** The routes around the tasks: strategies, market data, health, readiness and this contract as OpenAPI. */
import { z } from 'zod';
import { errorResponses } from './apiErrors';
import { timeframeSchema } from './backtestRequest';
import { defineRoutes } from './http';

export const strategySourceSchema = z.enum(['builtin', 'plugin']);

export const strategyListingSchema = z.object({
  id: z.string().describe('what a request names; for a plugin that failed before its id could be read, its file name'),
  description: z.string().describe('empty for an unavailable plugin'),
  source: strategySourceSchema.describe('builtin: part of the engine; plugin: a module of STRATEGIES_DIR'),
  version: z
    .string()
    .nullable()
    .describe(
      'recorded in manifests as metadata.strategy_version: sha256 of a plugin module, first 12 hex; the built-ins code version; ' +
        'null when the plugin file could not be read',
    ),
  file: z.string().nullable().describe("the plugin's file, relative to STRATEGIES_DIR; null for a built-in"),
  available: z.boolean().describe('false: the plugin failed to load or to validate, and requests naming it are refused'),
  error: z.string().nullable().describe('why an unavailable plugin failed: "file:line:column: message"; null when available'),
  parameters: z
    .record(z.string(), z.unknown())
    .describe('JSON Schema of the params object (strategy and execution parameters), with defaults and ranges; {} when unavailable'),
});

export const strategiesResponseSchema = z.object({ strategies: z.array(strategyListingSchema) });

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
    summary: 'Strategies (built-in and plugins, available or not), their versions and parameter JSON schemas',
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
export type StrategyListingResponse = z.infer<typeof strategyListingSchema>;
export type SymbolsResponse = z.infer<typeof symbolsResponseSchema>;
