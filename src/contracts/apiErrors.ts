/** The one error shape every route answers with, and the error statuses routes share. */
import { z } from 'zod';

export const errorResponseSchema = z.object({
  error: z.string().describe('machine-readable code, e.g. validation_failed, task_not_found, postgres_unavailable, temporal_unavailable'),
  message: z.string().describe('what went wrong, for a person'),
  details: z
    .array(z.object({ field: z.string(), message: z.string() }))
    .optional()
    .describe('one entry per bad field (422)'),
});

export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** Error statuses of a route, each answered with errorResponseSchema. */
export function errorResponses<const Status extends number>(...statuses: Status[]): Record<Status, typeof errorResponseSchema> {
  return Object.fromEntries(statuses.map((status) => [status, errorResponseSchema])) as Record<Status, typeof errorResponseSchema>;
}
