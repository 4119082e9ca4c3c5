/**
 * How every process talks to the Temporal frontend. The API's connection fails fast and recovers fast:
 * each call gets a deadline unless it sets its own, is retried only briefly, and the channel reconnects
 * within a second of the server's return instead of backing off for minutes (DESIGN.md section 11).
 */
import { readFileSync } from 'node:fs';
import { InterceptingCall, status as grpcStatus, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type TLSConfig } from '@temporalio/client';
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

export type TemporalSettings = Pick<Config, 'TEMPORAL_NAMESPACE'> &
  Partial<
    Pick<
      Config,
      'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS_SERVER_NAME' | 'TEMPORAL_TLS' | 'TEMPORAL_API_KEY'
    >
  > & { TEMPORAL_ADDRESS: string };

/** What the client's Connection and the worker's NativeConnection both take: the address, TLS and the API key. */
export interface TemporalConnectionOptions {
  address: string;
  /** Absent: plaintext (the dev server). `true`: TLS with the system's CAs. An object: mTLS and/or a private CA. */
  tls?: TLSConfig | true;
  apiKey?: string;
}

/**
 * The connection options of every process (API, worker, scripts), from the configuration:
 * - TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (PEM files): mTLS with that client certificate;
 * - TEMPORAL_TLS_CA (PEM file): trust that CA for the server's certificate instead of the system's;
 * - TEMPORAL_TLS_SERVER_NAME: the name to check the server's certificate against (SNI), when it differs from the address;
 * - TEMPORAL_API_KEY: sent as a bearer token (Temporal Cloud), which turns TLS on;
 * - TEMPORAL_TLS=true: TLS with the system's CAs and no client certificate.
 * Nothing of these: plaintext, as the local dev server wants. The config schema refuses a certificate
 * without its key and the reverse; an unreadable file is an error naming the variable and the path.
 */
export function temporalConnectionOptions(
  settings: TemporalSettings,
  readFile: (path: string) => Buffer = readFileSync,
): TemporalConnectionOptions {
  const read = (variable: string, path: string) => {
    try {
      return readFile(path);
    } catch (error) {
      throw new Error(`${variable}=${path} cannot be read: ${(error as Error).message}`, { cause: error });
    }
  };
  const { TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: serverName } = settings;
  if (Boolean(cert) !== Boolean(key)) {
    throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: mTLS needs the client certificate and its private key');
  }
  const tls: TLSConfig = {
    ...(cert && key ? { clientCertPair: { crt: read('TEMPORAL_TLS_CERT', cert), key: read('TEMPORAL_TLS_KEY', key) } } : {}),
    ...(ca ? { serverRootCACertificate: read('TEMPORAL_TLS_CA', ca) } : {}),
    ...(serverName ? { serverNameOverride: serverName } : {}),
  };
  const apiKey = settings.TEMPORAL_API_KEY;
  const wantsTls = Object.keys(tls).length > 0 || apiKey !== undefined || settings.TEMPORAL_TLS === true;
  return {
    address: settings.TEMPORAL_ADDRESS,
    ...(wantsTls ? { tls: Object.keys(tls).length > 0 ? tls : true } : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}

/**
 * A client that connects on first use, so the API starts (and answers 503) while Temporal is down. Its
 * calls fail within DEFAULT_CALL_DEADLINE_MS unless they set a deadline of their own, and are not retried:
 * the API answers at once and its caller retries.
 */
export function lazyApiClient(settings: TemporalSettings): Client {
  const connection = Connection.lazy({
    ...temporalConnectionOptions(settings),
    channelArgs: RECONNECT_CHANNEL_ARGS,
    interceptors: [defaultDeadline(DEFAULT_CALL_DEADLINE_MS)],
  });
  return new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
}

/** A connected client for scripts, tests and the worker's schedule setup: calls are retried and wait as long as the server needs. */
export async function connectClient(settings: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect({
    ...temporalConnectionOptions(settings),
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
