/**
 * Candles in shared memory for the evaluation threads, kept per range while the files they come from are
 * unchanged: the chunks of a sweep read the same range again and again, and pass it to a thread without a copy.
 */
import type { CandleRange, LoadedCandles, MarketData } from '../data/marketData';
import { toSharedCandles } from '../threads/sharedMemory';

const MAX_RANGES = 16;

export class CandlesForThreads {
  private readonly ranges = new Map<string, { files: string; loaded: LoadedCandles }>();

  constructor(private readonly marketData: MarketData) {}

  async load(range: CandleRange): Promise<LoadedCandles> {
    const loaded = await this.marketData.loadCandles(range);
    const key = `${range.symbol}|${range.timeframe}|${range.startDate}|${range.endDate}`;
    // The files' checksums say whether the decoded candles (cached by the market data by ETag) are still the same.
    const files = loaded.files.map((file) => file.md5).join(',');
    const cached = this.ranges.get(key);
    if (cached?.files === files) return cached.loaded;
    const shared = { candles: toSharedCandles(loaded.candles), files: loaded.files };
    this.ranges.delete(key);
    this.ranges.set(key, { files, loaded: shared });
    if (this.ranges.size > MAX_RANGES) this.ranges.delete(this.ranges.keys().next().value!);
    return shared;
  }
}
