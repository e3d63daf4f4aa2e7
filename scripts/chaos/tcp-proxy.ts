// A TCP proxy in front of a service (the warehouse), to make it unavailable without stopping it:
// `outage(ms)` closes the listening socket and cuts every open connection, so clients get
// ECONNREFUSED / ECONNRESET exactly as if the server were down, then listens again on the same
// port. Used where the service is shared and cannot be stopped (the test stack).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TcpProxy {
  /** The target URL with host and port replaced by the proxy's (credentials kept). */
  url: string;
  port: number;
  /** Unavailable for `ms`: refused connections, open ones cut. Resolves when it listens again. */
  outage(ms: number): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('tcp proxy: no port after listen'));
        return;
      }
      resolve(address.port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Proxies 127.0.0.1:<port> (0: a free one) to `target` (`http://host:port`). */
export async function startTcpProxy(target: string, port = 0): Promise<TcpProxy> {
  const { hostname, port: targetPort } = new URL(target);
  if (targetPort === '') throw new Error(`tcp proxy: target '${target}' names no port`);
  const sockets = new Set<Socket>();
  const makeServer = (): Server =>
    createServer((client) => {
      const upstream = connect(Number(targetPort), hostname);
      sockets.add(client);
      sockets.add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  let server = makeServer();
  const bound = await listen(server, port);
  const cut = async (): Promise<void> => {
    const closed = closeServer(server);
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(bound);
  return {
    url: url.toString().replace(/\/$/, ''),
    port: bound,
    async outage(ms) {
      await cut();
      await sleep(ms);
      server = makeServer();
      // NOTE: the port was ours a moment ago; retry briefly should something else grab it.
      for (let attempt = 0; ; attempt += 1) {
        try {
          await listen(server, bound);
          return;
        } catch (error: unknown) {
          if (attempt >= 20) throw error;
          await sleep(250);
        }
      }
    },
    close: cut,
  };
}
