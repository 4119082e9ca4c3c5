/** Stream helpers shared by the providers. */
import { Readable } from 'node:stream';

export interface GuardOptions {
  /** Turns an error of the source into the error the reader should see (e.g. StoreUnavailableError). */
  mapError: (error: unknown) => unknown;
  /**
   * Fails the stream when the source sends nothing for this long while the reader is waiting for data.
   * Time the reader spends not reading does not count, so a slow consumer never trips it.
   */
  stallTimeoutMs?: number;
}

/** A Readable over `source` whose errors pass through `mapError` and that detects a stalled source. */
export function guardStream(source: Readable, options: GuardOptions): Readable {
  const { mapError, stallTimeoutMs } = options;
  async function* chunks(): AsyncGenerator<Buffer> {
    const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      for (;;) {
        // Only here is the reader waiting for the source; between yields it is the reader that is slow.
        const next = stallTimeoutMs ? withStallTimeout(iterator.next(), stallTimeoutMs, source) : iterator.next();
        const result = await next;
        if (result.done) return;
        yield result.value;
      }
    } catch (error) {
      throw mapError(error);
    } finally {
      await iterator.return?.();
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

function withStallTimeout<T>(pending: Promise<T>, timeoutMs: number, source: Readable): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`no data for ${timeoutMs} ms while reading`), { name: 'TimeoutError', code: 'ETIMEDOUT' });
      source.destroy(error);
      reject(error);
    }, timeoutMs);
  });
  return Promise.race([pending, stalled]).finally(() => clearTimeout(timer));
}

/**
 * The body of a putStream as a stream.Readable (NodeJS.ReadableStream also allows old-style streams).
 * An error the body emits before the store starts reading it (the store first opens a file or a
 * connection) would be an unhandled 'error' event that crashes the process; this listener keeps it, and
 * reading the body later throws it.
 */
export function uploadBody(body: NodeJS.ReadableStream | Readable): Readable {
  const readable = body instanceof Readable ? body : new Readable().wrap(body);
  readable.on('error', () => undefined);
  return readable;
}
