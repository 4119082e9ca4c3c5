/**
 * The REST API as the command-line client sees it: the shared contract client, with every way a call can
 * go wrong turned into a CliError carrying the exit code scripts rely on.
 */
import type { ResultResponse, SweepResponse, SweepResults, TaskResponse, WalkForwardResponse } from '../contracts/api';
import { ApiError, ApiUnreachableError, createApiClient, type ApiClient } from '../contracts/apiClient';
import { CliError, ExitCode } from './exitCodes';

export type {
  HistoryItem,
  HistoryResponse,
  ResultResponse,
  StrategiesResponse,
  SweepItem,
  SweepResponse,
  SweepResults,
  SymbolsResponse,
  TaskResponse,
} from '../contracts/api';
export type { ApiClient };

/** What `run` and `show` print: the status, plus the per-symbol summary once there is a result. */
export interface TaskOutcome {
  status: TaskResponse;
  summary: ResultResponse['summary'] | null;
}

/** What `sweep` and `sweeps show` print: the status, plus the best rows and the walk-forward figures once completed. */
export interface SweepOutcome {
  status: SweepResponse;
  /** The best rows: combo_summary, or the symbol's own rows for a one-symbol sweep without walk-forward. */
  top: SweepResults | null;
  /** With walk-forward: the folds, the efficiency and the stitched curve's metrics (the curve itself left out). */
  walk_forward: Omit<WalkForwardResponse, 'curve'> | null;
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

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
}

/** The exit code and message an API failure ends the command with. */
function cliErrorOf(error: unknown, baseUrl: string): unknown {
  if (error instanceof ApiUnreachableError) {
    return new CliError(
      `cannot reach the API at ${baseUrl} (${error.reason}); is it running (npm start)? Point the client elsewhere with --api URL or BACKTEST_API_URL`,
      ExitCode.unreachable,
    );
  }
  if (!(error instanceof ApiError)) return error;
  const what = `${error.status}${error.code ? ` ${error.code}` : ''}`;
  if (error.status >= 500) return new CliError(`the API failed (${what}): ${error.message}`, ExitCode.unreachable);
  const lines = error.details.length
    ? [`the API refused the request (${what}):`, ...error.details.map((detail) => `  ${detail.field}: ${detail.message}`)]
    : [`${error.message} (${what})`];
  return new CliError(lines.join('\n'), ExitCode.refused);
}

/** The contract client whose every call fails with a CliError. */
export function cliApiClient({ baseUrl, token }: ApiClientOptions): ApiClient {
  const client = createApiClient({ baseUrl, token: () => token });
  return new Proxy(client, {
    get(target, name, receiver) {
      const member = Reflect.get(target, name, receiver);
      if (typeof member !== 'function' || name === 'url') return member;
      return (...args: unknown[]) =>
        (member as (...a: unknown[]) => Promise<unknown>)(...args).catch((error) => {
          throw cliErrorOf(error, baseUrl);
        });
    },
  });
}
