/**
 * Candles for an activity. Data that no retry can mend (a symbol without data, a damaged or invalid file: a
 * MarketDataError) fails the activity for good, its code in the failure's details; anything else (the store
 * unreachable) is thrown as it is, for Temporal to retry.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { CandleRange, LoadedCandles } from '../data/marketData';
import { MarketDataError } from '../data/marketDataError';

export async function loadCandlesOrFail(
  load: (range: CandleRange) => Promise<LoadedCandles>,
  range: CandleRange,
  onRejected?: (error: MarketDataError) => void,
): Promise<LoadedCandles> {
  try {
    return await load(range);
  } catch (error) {
    if (!(error instanceof MarketDataError)) throw error;
    onRejected?.(error);
    throw ApplicationFailure.nonRetryable(error.message, 'MarketDataError', { code: error.code });
  }
}
