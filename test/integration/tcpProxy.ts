/**
 * A TCP proxy on 127.0.0.1 that a test can pause, to make a server unreachable for a while without
 * stopping it (moto, for one, keeps its data in memory and loses it on a restart).
 *
 *   const proxy = await startTcpProxy(motoPort);   // clients connect to proxy.port
 *   await proxy.pause();                            // the server is "down": connection refused
 *   await proxy.pause('hang');                      // or "stuck": connections open, nothing answers
 *   await proxy.resume();
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type PauseMode = 'refuse' | 'hang';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1; it stays the same across pause and resume. */
  readonly port: number;
  /**
   * 'refuse' (a server that is down): stops listening, so new connections are refused, and resets every
   * open connection. 'hang' (a stuck server, or a network that drops packets): open connections stop
   * carrying data and new ones are accepted but never answered; clients see only their own timeouts.
   */
  pause(mode?: PauseMode): Promise<void>;
  /** Forwards again; connections opened or stalled during a pause are reset first. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

interface Connection {
  client: Socket;
  upstream?: Socket;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const connections = new Set<Connection>();
  let state: 'forwarding' | PauseMode = 'forwarding';

  const server = createServer((client) => {
    const connection: Connection = { client };
    connections.add(connection);
    client.on('error', () => undefined);
    client.on('close', () => {
      connection.upstream?.destroy();
      connections.delete(connection);
    });
    if (state !== 'forwarding') {
      client.pause(); // accepted, never answered
      return;
    }
    const upstream = connect(targetPort, targetHost);
    connection.upstream = upstream;
    upstream.on('error', () => client.resetAndDestroy());
    // A server that closes after each response (moto does) must not cut what this side still holds for a slow client:
    // end the client (after its pending writes), never destroy it. Destroying could drop the tail of a large download,
    // the likely cause of one "ECONNRESET: aborted" seen by the slow-reader test under CI load (not reproduced).
    // (While paused the client stays as the pause left it.)
    upstream.on('close', () => {
      if (state === 'forwarding') client.end();
    });
    client.pipe(upstream).pipe(client);
  });
  const port = await listen(server, 0);

  const resetAll = () => {
    for (const { client, upstream } of connections) {
      upstream?.destroy();
      client.resetAndDestroy();
    }
    connections.clear();
  };

  return {
    port,
    async pause(mode = 'refuse') {
      if (state !== 'forwarding') throw new Error(`the proxy is already paused (${state})`);
      state = mode;
      if (mode === 'refuse') {
        resetAll();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        return;
      }
      // Stalls every open connection where it stands: nothing read, nothing forwarded.
      for (const { client, upstream } of connections) {
        client.unpipe();
        upstream?.unpipe();
        client.pause();
        upstream?.pause();
      }
    },
    async resume() {
      if (state === 'forwarding') return;
      const previous = state;
      state = 'forwarding';
      resetAll();
      if (previous === 'refuse') await listen(server, port);
    },
    async close() {
      resetAll();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
