/**
 * The embedded warehouse: chDB (the real ClickHouse engine, in-process) behind the ClickHouse HTTP
 * interface, so every component talks to it with @clickhouse/client and a URL.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CsError, createLogger, type Logger } from '@cs/runtime';
import { ChdbExecutor } from './chdb-executor.js';
import { createHttpServer } from './http-server.js';

import { DEFAULT_ENGINE_CONFIG } from './config.js';

export {
  DEFAULT_DATA_DIR,
  DEFAULT_ENGINE_CONFIG,
  REPO_ROOT,
  warehouseEnvSchema,
  type WarehouseEnv,
} from './config.js';

export interface WarehouseOptions {
  /** Data directory (created if missing); one per process. */
  dataDir: string;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * The engine's server config file (memory bounds); defaults to config/engine.xml, `null` runs
   * chDB with its own defaults.
   */
  engineConfig?: string | null;
  /** Largest accepted request body, after decompression; defaults to 256 MiB. */
  maxBodyBytes?: number;
  logger?: Logger;
}

export interface Warehouse {
  url: string;
  port: number;
  dataDir: string;
  /** Stops accepting, lets in-flight queries finish, closes chDB. Idempotent. */
  stop(): Promise<void>;
}

export type WarehouseErrorCode = 'PORT_IN_USE' | 'LISTEN_FAILED';

function listen(server: import('node:http').Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const taken = error.code === 'EADDRINUSE';
      reject(
        new CsError<WarehouseErrorCode>(
          taken ? 'PORT_IN_USE' : 'LISTEN_FAILED',
          taken
            ? `port ${port} on ${host} is already in use (is another warehouse running? set CS_WAREHOUSE_PORT)`
            : `cannot listen on ${host}:${port}: ${error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function waitUntil(done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (done()) resolve();
      else setTimeout(check, 10);
    };
    check();
  });
}

export async function startWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? createLogger({ component: 'warehouse' });
  mkdirSync(options.dataDir, { recursive: true });
  const engineConfig =
    options.engineConfig === undefined
      ? DEFAULT_ENGINE_CONFIG
      : (options.engineConfig ?? undefined);
  const executor = ChdbExecutor.open(options.dataDir, log, engineConfig);
  const engine = await executor.info();
  const { server, inFlight } = createHttpServer({
    executor,
    engine,
    maxBodyBytes: options.maxBodyBytes ?? 256 * 1024 * 1024,
    log,
  });

  let port: number;
  try {
    port = await listen(server, host, options.port);
  } catch (error) {
    await executor.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await waitUntil(() => inFlight() === 0);
      await executor.close();
      server.closeAllConnections();
      await closed;
    })();
    return stopping;
  };

  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, port, dataDir: options.dataDir, stop };
}
