/**
 * Everything wrong with market data or a request for it. These are never worth a retry: the same
 * files give the same answer, so activities turn them into non-retryable failures.
 */
export type MarketDataErrorCode =
  | 'no_data'
  | 'empty_range'
  | 'invalid_data'
  | 'missing_column'
  | 'corrupt_file'
  | 'invalid_symbol'
  | 'invalid_timeframe'
  | 'invalid_date';

/** Where in a file the problem is: a Parquet row (0-based) or a CSV line (1-based, as an editor shows it). */
export interface MarketDataErrorLocation {
  /** Parquet files relative to the data root (`BTC_KRW/1D/2023.parquet`); CSV files as the user named them. */
  file: string;
  row?: number;
  line?: number;
}

export class MarketDataError extends Error {
  override readonly name = 'MarketDataError';
  readonly file?: string;
  readonly row?: number;
  readonly line?: number;

  /** The message reads `BTC_KRW/1D/2023.parquet row 17: high 101.2 < max(open, close) 103.5`. */
  constructor(
    readonly code: MarketDataErrorCode,
    reason: string,
    location?: MarketDataErrorLocation,
  ) {
    super(location ? `${describeLocation(location)}: ${reason}` : reason);
    this.file = location?.file;
    this.row = location?.row;
    this.line = location?.line;
  }
}

function describeLocation({ file, row, line }: MarketDataErrorLocation): string {
  if (row !== undefined) return `${file} row ${row}`;
  if (line !== undefined) return `${file} line ${line}`;
  return file;
}
