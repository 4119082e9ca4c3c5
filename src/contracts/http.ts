/**
 * The shape of an HTTP contract entry and the types derived from it. The route table (./api.ts) is
 * made of these; the server binds its handlers to them (src/api/bindRoutes.ts), the clients call them
 * (./apiClient.ts) and the OpenAPI document describes them (src/api/openapi.ts). No Express here.
 */
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

export interface RouteContract {
  method: HttpMethod;
  /** Express path syntax (`/api/backtests/:id`). */
  path: string;
  summary: string;
  params?: z.ZodType;
  /** What the path parameters name (`task`): a value that names nothing is a 404 `<resource>_not_found`. */
  resource?: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status code -> response body schema; null for no body (204) or a file download. */
  responses: Record<number, z.ZodType | null>;
}

/** Checks a route table against RouteContract while keeping each entry's exact types. */
export function defineRoutes<const Routes extends Record<string, RouteContract>>(routes: Routes): Routes {
  return routes;
}

type Output<Schema> = Schema extends z.ZodType ? z.output<Schema> : undefined;
type Input<Schema> = Schema extends z.ZodType ? z.input<Schema> : undefined;

/** What a handler receives: params, query and body after validation (defaults applied, ids normalised). */
export interface ParsedRequest<Route extends RouteContract> {
  params: Output<Route['params']>;
  query: Output<Route['query']>;
  body: Output<Route['body']>;
}

type SuccessStatus<Route extends RouteContract> = Extract<keyof Route['responses'], 200 | 201 | 202 | 204>;

/** The body of a route's successful answer (a `Response` for downloads and bodiless answers). */
export type SuccessBody<Route extends RouteContract> = {
  [Status in SuccessStatus<Route>]: Route['responses'][Status] extends z.ZodType ? z.output<Route['responses'][Status]> : Response;
}[SuccessStatus<Route>];

/** What a client sends: params when the path has any, query optionally, the body when the route takes one. */
export type ClientRequest<Route extends RouteContract> = (Route['params'] extends z.ZodType
  ? { params: Input<Route['params']> }
  : { params?: undefined }) &
  (Route['query'] extends z.ZodType ? { query?: Input<Route['query']> } : { query?: undefined }) &
  (Route['body'] extends z.ZodType ? { body: Input<Route['body']> } : { body?: undefined });

/** The path with its `:name` parameters filled in, each URL-encoded. */
export function fillPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) throw new Error(`path ${path} needs the parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

/** A query object as a search string (`?a=1&b=x`), skipping undefined and empty values; arrays joined by commas. */
export function queryString(query: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    search.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
