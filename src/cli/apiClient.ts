/**
 * The REST API as the command-line client sees it: one request helper that turns every way a call can
 * go wrong into a CliError carrying the exit code scripts rely on.
 */
import type { z } from 'zod';
import type {
  cancelResponseSchema,
  errorResponseSchema,
  HistoryItem,
  HistoryResponse,
  ResultResponse,
  strategiesResponseSchema,
  SubmissionResponse,
  symbolsResponseSchema,
  TaskResponse,
} from '../contracts/api';
import { CliError, ExitCode } from './exitCodes';

/** A deadline per request, so a hung API ends in exit 3 instead of a hung terminal. */
const REQUEST_TIMEOUT_MS = 30_000;

// Response bodies, from the HTTP contract.
export type { HistoryItem, HistoryResponse, ResultResponse, SubmissionResponse, TaskResponse };
export type CancelResponse = z.infer<typeof cancelResponseSchema>;
export type StrategiesResponse = z.infer<typeof strategiesResponseSchema>;
export type SymbolsResponse = z.infer<typeof symbolsResponseSchema>;
type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** What `run` and `show` print: the status, plus the per-symbol summary once there is a result. */
export interface TaskOutcome {
  status: TaskResponse;
  summary: ResultResponse['summary'] | null;
}

/** One property of a strategy's parameter JSON Schema (the contract leaves the schema untyped). */
export interface ParameterSchema {
  type?: string;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
}

/** `/api/backtests/:id` plus an optional sub-path. */
export function taskPath(taskId: string, subPath = ''): string {
  return `/api/backtests/${encodeURIComponent(taskId)}${subPath}`;
}

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const reason = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the API at ${this.baseUrl} (${reason?.code ?? reason?.message ?? (error as Error).message}); ` +
          'is it running (npm start)? Point the client elsewhere with --api URL or BACKTEST_API_URL',
        ExitCode.unreachable,
      );
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return parsed as T;

    const error = (parsed ?? {}) as Partial<ErrorResponse>;
    const what = `${response.status}${error.error ? ` ${error.error}` : ''}`;
    const message = error.message ?? (text.trim().slice(0, 200) || response.statusText);
    if (response.status >= 500) {
      throw new CliError(`the API failed on ${method} ${path} (${what}): ${message}`, ExitCode.unreachable);
    }
    const lines = error.details?.length
      ? [`the API refused the request (${what}):`, ...error.details.map((detail) => `  ${detail.field}: ${detail.message}`)]
      : [`${message} (${what})`];
    throw new CliError(lines.join('\n'), ExitCode.refused);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
