/**
 * How every process talks to the Temporal frontend. The API's connection fails fast and recovers fast:
 * each call gets a deadline unless it sets its own, is retried only briefly, and the channel reconnects
 * within a second of the server's return instead of backing off for minutes (DESIGN.md section 11).
 */
import { InterceptingCall, status as grpcStatus, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Config } from './config';

/** A call without its own deadline gives up after this long: the API answers 503 in under 2 s. */
const DEFAULT_CALL_DEADLINE_MS = 1500;

/** Reconnect quickly after an outage (grpc-js defaults back off up to 120 s). */
const RECONNECT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.min_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 1000,
};

function defaultDeadline(milliseconds: number): Interceptor {
  return (options, nextCall) => {
    const deadline = options.deadline === undefined || options.deadline === Infinity ? Date.now() + milliseconds : options.deadline;
    return new InterceptingCall(nextCall({ ...options, deadline }));
  };
}

export type TemporalSettings = Pick<Config, 'TEMPORAL_NAMESPACE'> & { TEMPORAL_ADDRESS: string };

/**
 * A client that connects on first use, so the API starts (and answers 503) while Temporal is down. Its
 * calls fail within DEFAULT_CALL_DEADLINE_MS unless they set a deadline of their own, and are not retried:
 * the API answers at once and its caller retries.
 */
export function lazyApiClient(settings: TemporalSettings): Client {
  const connection = Connection.lazy({
    address: settings.TEMPORAL_ADDRESS,
    channelArgs: RECONNECT_CHANNEL_ARGS,
    interceptors: [defaultDeadline(DEFAULT_CALL_DEADLINE_MS)],
  });
  return new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
}

/** A connected client for scripts, tests and the worker's schedule setup: calls are retried and wait as long as the server needs. */
export async function connectClient(settings: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect({
    address: settings.TEMPORAL_ADDRESS,
    channelArgs: RECONNECT_CHANNEL_ARGS,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
  });
  return new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
}

const OUTAGE_CODES = new Set<number>([grpcStatus.UNAVAILABLE, grpcStatus.DEADLINE_EXCEEDED]);

/** Whether an error from the Temporal client means the server could not be reached in time. */
export function isTemporalOutage(error: unknown): boolean {
  for (
    let current = error as { code?: unknown; cause?: unknown; name?: string } | undefined;
    current;
    current = current.cause as typeof current
  ) {
    if (typeof current.code === 'number' && OUTAGE_CODES.has(current.code)) return true;
    if (current.name === 'TransportError') return true;
  }
  return false;
}
