/** Activity options every workflow shares. */

/** Error types an activity raises for input that no retry can fix. */
export const NON_RETRYABLE_ERROR_TYPES = ['MarketDataError', 'InvalidParameters'];

/**
 * Outages delay work, they never fail it (DESIGN.md section 11): an activity that touches PostgreSQL, the
 * store or the disk is retried without a give-up count, backing off to 30 s, within a day.
 */
export const UNTIL_IT_WORKS = {
  scheduleToCloseTimeout: '24 hours',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
} as const;
