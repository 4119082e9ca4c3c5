/**
 * The HTTP contract: every route by operation name, with its method, path and zod schemas for path
 * parameters, query, body and each response status. The server binds one handler per entry
 * (src/api/bindRoutes.ts), GET /api/openapi.json is generated from it, and the CLI and the web page call
 * the API through the client built from it (./apiClient.ts). No Express import here.
 */
import { backtestRoutes } from './backtestsApi';
import { sweepRoutes } from './sweepsApi';
import { systemRoutes } from './systemApi';

export const apiContract = { ...backtestRoutes, ...sweepRoutes, ...systemRoutes };

export type ApiContract = typeof apiContract;
export type OperationName = keyof ApiContract;

export * from './apiErrors';
export * from './backtestsApi';
export * from './sweepsApi';
export * from './systemApi';
