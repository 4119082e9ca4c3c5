/** GET /api/openapi.json: an OpenAPI 3.1 document generated from the contract table (src/contracts/api.ts). */
import { z } from 'zod';
import { apiContract } from '../contracts/api';
import type { RouteContract } from '../contracts/http';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** Path or query parameters, one entry per property of the object schema. */
function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
    ...(property.description ? { description: property.description } : {}),
  }));
}

function operation(operationId: string, route: RouteContract): JsonSchema {
  return {
    operationId,
    summary: route.summary,
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } } : {}),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, schema]) => [
        status,
        schema
          ? { description: `HTTP ${status}`, content: { 'application/json': { schema: toSchema(schema, 'output') } } }
          : { description: `HTTP ${status}` },
      ]),
    ),
  };
}

export function buildOpenApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [operationId, route] of Object.entries(apiContract)) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method]: operation(operationId, route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Backtest platform API',
      version,
      description: 'Backtests as durable Temporal workflows; results in Parquet and PostgreSQL.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'required when the server has API_TOKEN set' } },
    },
    paths,
  };
}
