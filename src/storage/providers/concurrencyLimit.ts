/**
 * Runs at most `limit` store operations of one process at once; the others wait here, in order.
 *
 * Why: a caller that starts thousands of operations at once (Promise.all over a folder) would otherwise
 * exhaust file descriptors (EMFILE, local) or wait in the HTTP agent's socket queue, where the SDK's
 * connection timeout already runs and fires as if the store were down (S3). Waiting here costs nothing.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // Hands the slot straight to the next waiter, or frees it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
