/**
 * The API client the CLI and the web page share: one typed method per operation of the HTTP contract,
 * `api.getBacktest({ params: { id } })`, built from the route table itself, so a path, a parameter or a
 * response shape exists in one place only. Runs wherever `fetch` does (Node and browsers).
 */
import { apiContract, type ApiContract, type ErrorResponse } from './api';
import { fillPath, queryString, type ClientRequest, type RouteContract, type SuccessBody } from './http';

/** The API answered with an error status: `code` is the contract's machine-readable `error`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly details: NonNullable<ErrorResponse['details']> = [],
  ) {
    super(message);
  }
}

/** No answer at all: connection refused, DNS, timeout. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
  ) {
    super(`cannot reach the API at ${baseUrl || 'this page'} (${reason})`);
  }
}

export interface ApiClientOptions {
  /** Origin of the API, e.g. `http://127.0.0.1:3000`; empty for the page's own origin. */
  baseUrl?: string;
  /** Bearer token (API_TOKEN), read on every call. */
  token?: () => string | undefined;
  /** Give up on a call after this long (default 30 s). */
  timeoutMs?: number;
}

type Arguments<Route extends RouteContract> =
  object extends ClientRequest<Route> ? [request?: ClientRequest<Route>] : [request: ClientRequest<Route>];

export type ApiClient = {
  [Name in keyof ApiContract]: (...request: Arguments<ApiContract[Name]>) => Promise<SuccessBody<ApiContract[Name]>>;
} & {
  /** The URL of an operation, e.g. for a download link. */
  url<Name extends keyof ApiContract>(name: Name, ...request: Arguments<ApiContract[Name]>): string;
};

const DEFAULT_TIMEOUT_MS = 30_000;

function unreachableReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const urlOf = (route: RouteContract, request: { params?: object; query?: object } = {}) =>
    `${baseUrl}${fillPath(route.path, request.params as Record<string, unknown>)}${queryString(request.query as Record<string, unknown>)}`;

  async function call(route: RouteContract, request: { params?: object; query?: object; body?: unknown } = {}): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const token = options.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(urlOf(route, request), {
        method: route.method.toUpperCase(),
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiUnreachableError(baseUrl, unreachableReason(error));
    }
    if (response.ok) return route.responses[response.status] ? response.json() : response;
    const text = await response.text();
    let error: Partial<ErrorResponse> = {};
    try {
      error = JSON.parse(text) ?? {};
    } catch {
      // not JSON (a proxy's error page): the text itself is the message
    }
    const message =
      error.message ?? (text.trim().slice(0, 200) || `${route.method.toUpperCase()} ${route.path} answered HTTP ${response.status}`);
    throw new ApiError(response.status, error.error, message, error.details);
  }

  const client: Record<string, unknown> = {
    url: (name: keyof ApiContract, request?: { params?: object; query?: object }) => urlOf(apiContract[name], request),
  };
  for (const [name, route] of Object.entries(apiContract)) client[name] = (request?: object) => call(route, request);
  return client as ApiClient;
}
