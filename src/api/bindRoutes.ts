/**
 * Registers handlers for entries of the HTTP contract: parses and validates path parameters (a value that
 * names nothing is a 404), the query and the body (422 with one detail per bad field), hands the parsed
 * values to the handler, and sends what it returns. A new route is one contract entry and one handler.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { ParsedRequest, RouteContract } from '../contracts/http';
import { HttpError, validationError } from './httpError';

/** A file sent as a download (`Content-Disposition: attachment`). */
export interface FileReply {
  name: string;
  stream: Readable;
  size?: number;
}

/** What a handler returns: one of the route's statuses, with the body its schema describes. */
export type Reply<Route extends RouteContract> = {
  [Status in keyof Route['responses'] & number]: Route['responses'][Status] extends z.ZodType
    ? { status: Status; body: z.input<Route['responses'][Status]> }
    : { status: Status; file?: FileReply };
}[keyof Route['responses'] & number];

export interface HttpContext {
  request: Request;
  response: Response;
}

export type RouteHandler<Route extends RouteContract> = (request: ParsedRequest<Route>, http: HttpContext) => Promise<Reply<Route>>;

export type RouteHandlers<Routes extends Record<string, RouteContract>> = { [Name in keyof Routes]: RouteHandler<Routes[Name]> };

export interface BindOptions {
  /** Check every JSON answer against its response schema (tests): a mismatch is a 500, never a silent drift. */
  validateResponses?: boolean;
}

function parseParams(route: RouteContract, raw: unknown): unknown {
  if (!route.params) return undefined;
  const parsed = route.params.safeParse(raw);
  if (parsed.success) return parsed.data;
  // A path that names nothing: 404, with the reason (e.g. "task ids are UUIDs").
  throw new HttpError(
    404,
    route.resource ? `${route.resource}_not_found` : 'not_found',
    parsed.error.issues.map((issue) => issue.message).join('; '),
  );
}

function parseInput(schema: z.ZodType | undefined, raw: unknown, what: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error, what);
  return parsed.data;
}

async function send(
  route: RouteContract,
  reply: { status: number; body?: unknown; file?: FileReply },
  response: Response,
  options: BindOptions,
) {
  const schema = route.responses[reply.status];
  if (schema === undefined)
    throw new Error(`${route.method.toUpperCase()} ${route.path} answered ${reply.status}, which its contract does not list`);
  if (reply.file) {
    response.status(reply.status).attachment(reply.file.name);
    if (reply.file.size !== undefined) response.setHeader('content-length', reply.file.size);
    await pipeline(reply.file.stream, response);
    return;
  }
  if (schema === null) {
    response.status(reply.status).end();
    return;
  }
  if (options.validateResponses) {
    const checked = schema.safeParse(reply.body);
    if (!checked.success) {
      throw new Error(`${route.method.toUpperCase()} ${route.path} ${reply.status} breaks its contract: ${checked.error.message}`);
    }
  }
  response.status(reply.status).json(reply.body);
}

export function bindRoutes<Routes extends Record<string, RouteContract>>(
  router: Router,
  routes: Routes,
  handlers: RouteHandlers<Routes>,
  options: BindOptions = {},
): void {
  for (const [name, route] of Object.entries(routes)) {
    const handler = handlers[name] as unknown as RouteHandler<RouteContract>;
    router[route.method](route.path, async (request: Request, response: Response) => {
      const parsed = {
        params: parseParams(route, request.params),
        query: parseInput(route.query, request.query, 'query'),
        body: parseInput(route.body, request.body ?? {}, 'request body'),
      };
      const reply = await handler(parsed as ParsedRequest<RouteContract>, { request, response });
      await send(route, reply as { status: number; body?: unknown; file?: FileReply }, response, options);
    });
  }
}
