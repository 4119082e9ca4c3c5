/** Errors the API answers with: `{ error, message, details? }`, never a stack trace. */
import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import { isStoreUnavailable } from '../storage/providers';
import { isDatabaseOutage } from '../storage/database';
import { isTemporalOutage } from '../temporalConnection';

export interface ErrorDetail {
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}

/** 422 with one entry per bad field, from a zod error. */
export function validationError(error: z.ZodError, what = 'request'): HttpError {
  const details = error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  const summary = details.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
  return new HttpError(422, 'validation_failed', `invalid ${what}: ${summary}`, details);
}

/** A dependency that is down: 503 naming it, so clients know to retry (DESIGN.md section 11). */
export function outageError(error: unknown): HttpError | undefined {
  if (isDatabaseOutage(error)) return new HttpError(503, 'postgres_unavailable', 'PostgreSQL is unavailable; try again shortly');
  if (isTemporalOutage(error)) return new HttpError(503, 'temporal_unavailable', 'Temporal is unavailable; try again shortly');
  if (isStoreUnavailable(error)) return new HttpError(503, 'store_unavailable', 'the result store is unavailable; try again shortly');
  return undefined;
}

/** Maps HttpErrors, outages and body-parser failures to JSON; anything else is a 500 without internals. */
export function errorHandler(logError: (error: unknown) => void, logOutage: (error: unknown) => void): ErrorRequestHandler {
  return (error, _request, response, _next) => {
    const outage = outageError(error);
    if (outage) logOutage(error);
    const known = error instanceof HttpError ? error : outage;
    if (known) {
      if (known.status === 503) response.setHeader('retry-after', '2');
      response.status(known.status).json({ error: known.code, message: known.message, details: known.details });
      return;
    }
    const bodyParserType = (error as { type?: string }).type;
    if (bodyParserType === 'entity.parse.failed') {
      response.status(422).json({ error: 'invalid_json', message: `request body is not valid JSON: ${error.message}` });
      return;
    }
    if (bodyParserType === 'entity.too.large') {
      response.status(413).json({ error: 'body_too_large', message: `request body exceeds ${error.limit} bytes` });
      return;
    }
    if (typeof (error as { status?: number }).status === 'number' && error.status < 500) {
      response.status(error.status).json({ error: 'bad_request', message: error.message });
      return;
    }
    logError(error);
    response.status(500).json({ error: 'internal_error', message: 'internal error; see the server log' });
  };
}
