/** The API's 422 answer as the forms show it: the overall message on top, each field's messages beside the field. */
import { ApiError, errorMessage } from './api';

export interface Rejection {
  message: string;
  /** Field as the API names it (`params.num_bins`, `grid.volume_window.2`) -> its messages. */
  fields: Record<string, string>;
}

export function rejectionOf(error: unknown): Rejection {
  const fields: Record<string, string> = {};
  if (error instanceof ApiError) {
    for (const detail of error.details)
      fields[detail.field] = fields[detail.field] ? `${fields[detail.field]}; ${detail.message}` : detail.message;
  }
  return { message: errorMessage(error), fields };
}

/** All messages for fields under `prefix` (`symbols` covers `symbols.0`, `symbols.3`, ...). */
export const messagesUnder = (fields: Record<string, string>, prefix: string) =>
  Object.entries(fields)
    .filter(([field]) => field === prefix || field.startsWith(`${prefix}.`))
    .map(([field, message]) => (field === prefix ? message : `${field}: ${message}`))
    .join('; ') || undefined;
