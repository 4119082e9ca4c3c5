/**
 * The one way the page talks to the API: the client built from the HTTP contract (src/contracts), with
 * `Authorization: Bearer` when `localStorage.apiToken` is set; every non-2xx answer is thrown as an ApiError.
 */
import { ApiError, createApiClient } from '../../src/contracts/apiClient';

export { ApiError };

export const TOKEN_STORAGE_KEY = 'apiToken';

export const api = createApiClient({ token: () => localStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined });

export const fileUrl = (taskId: string, name: string) => api.url('downloadBacktestFile', { params: { id: taskId, name } });

/** Saves a result file; through fetch so the bearer token goes along. */
export async function downloadFile(taskId: string, name: string): Promise<void> {
  const response = await api.downloadBacktestFile({ params: { id: taskId, name } });
  const objectUrl = URL.createObjectURL(await response.blob());
  const anchor = document.createElement('a');
  anchor.href = objectUrl;
  anchor.download = name;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 1000); // after the browser has started saving
}

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
