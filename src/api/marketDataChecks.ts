/** What a request needs from the market data, checked before any workflow starts (422 naming the problem). */
import { problemsInRange, type SymbolAvailability } from '../data/marketData';
import { HttpError, type ErrorDetail } from './httpError';

export interface RunRange {
  symbols: string[];
  timeframe: string;
  start_date: string;
  end_date: string;
}

/** Symbols and timeframe must exist in the market data, and the files the range needs must be readable. */
export function checkAvailability(request: RunRange, available: SymbolAvailability[]): void {
  const bySymbol = new Map(available.map((entry) => [entry.symbol, entry]));
  const details = request.symbols.flatMap((symbol, index): ErrorDetail[] => {
    const entry = bySymbol.get(symbol);
    if (!entry) return [{ field: `symbols.${index}`, message: `unknown symbol ${symbol}; GET /api/data/symbols lists the available ones` }];
    const coverage = entry.timeframes.find((tf) => tf.timeframe === request.timeframe);
    if (!coverage) {
      const have = entry.timeframes.map((tf) => tf.timeframe).join(', ');
      return [{ field: 'timeframe', message: `${symbol} has no ${request.timeframe} data; available: ${have}` }];
    }
    return problemsInRange(coverage, request.start_date, request.end_date).map((problem) => ({
      field: `symbols.${index}`,
      message: `${symbol} ${request.timeframe} data for this range is damaged: ${problem.message}`,
    }));
  });
  if (details.length > 0) {
    throw new HttpError(422, 'validation_failed', `invalid request: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
}
