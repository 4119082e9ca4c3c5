/**
 * The one way the page talks to the API: JSON in and out, `Authorization: Bearer` when
 * `localStorage.apiToken` is set, and every non-2xx answer thrown as an ApiError.
 */
import type {
  BacktestResult,
  BacktestSubmission,
  HistoryFilters,
  HistoryItem,
  HistoryPage,
  MarketSymbol,
  Strategy,
  SubmittedTask,
  Task,
} from './types';

export interface ErrorDetail {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const TOKEN_STORAGE_KEY = 'apiToken';

function authorizationHeaders(): Record<string, string> {
  const token = localStorage.getItem(TOKEN_STORAGE_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(path, {
    method,
    headers: { ...authorizationHeaders(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const payload = await response.json().catch(() => ({}));
    throw new ApiError(response.status, payload.message ?? `${method} ${path} answered HTTP ${response.status}`, payload.details ?? []);
  }
  return response;
}

async function requestJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  return response.status === 204 ? (undefined as T) : response.json();
}

function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') parameters.set(name, String(value));
  }
  const text = parameters.toString();
  return text ? `${path}?${text}` : path;
}

const taskPath = (taskId: string) => `/api/backtests/${encodeURIComponent(taskId)}`;

export const fileUrl = (taskId: string, name: string) => `${taskPath(taskId)}/files/${encodeURIComponent(name)}`;

export const api = {
  strategies: () => requestJson<{ strategies: Strategy[] }>('GET', '/api/strategies').then((body) => body.strategies),
  marketSymbols: () => requestJson<{ symbols: MarketSymbol[] }>('GET', '/api/data/symbols').then((body) => body.symbols),
  submit: (submission: BacktestSubmission) => requestJson<SubmittedTask>('POST', '/api/backtests', submission),
  task: (taskId: string) => requestJson<Task>('GET', taskPath(taskId)),
  cancel: (taskId: string) => requestJson<unknown>('POST', `${taskPath(taskId)}/cancel`),
  setPinned: (taskId: string, pinned: boolean) => requestJson<HistoryItem>('PATCH', taskPath(taskId), { pinned }),
  remove: (taskId: string) => requestJson<void>('DELETE', taskPath(taskId)),
  result: (
    taskId: string,
    query: {
      symbol?: string;
      tradesOffset: number;
      tradesLimit: number;
      tradesSort?: { key: string; descending: boolean };
      maxPoints: number;
    },
  ) =>
    requestJson<BacktestResult>(
      'GET',
      withQuery(`${taskPath(taskId)}/result`, {
        max_points: query.maxPoints,
        trades_limit: query.tradesLimit,
        trades_offset: query.tradesOffset,
        trades_sort: query.tradesSort?.key,
        trades_order: query.tradesSort && (query.tradesSort.descending ? 'desc' : 'asc'),
        symbol: query.symbol,
      }),
    ),
  history: (filters: HistoryFilters, limit: number, offset: number) =>
    requestJson<HistoryPage>('GET', withQuery('/api/backtests', { ...filters, limit, offset })),
};

/** Saves a result file; through fetch so the bearer token goes along. */
export async function downloadFile(taskId: string, name: string): Promise<void> {
  const blob = await (await send('GET', fileUrl(taskId, name))).blob();
  const objectUrl = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = objectUrl;
  anchor.download = name;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 1000); // after the browser has started saving
}

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
