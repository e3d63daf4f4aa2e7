// A sink whose start-up hangs must say where: /healthz answers from the first step, so from
// outside a hang further on looks like a running sink that never consumes.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@cs/runtime';
import { topicCatalog } from '@cs/schemas';
import { startSink } from './sink.js';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => (server?.listening === true ? server.close(resolve) : resolve(0)));
});

/** A TCP server that accepts connections and never answers (a hung schema registry). */
async function silentServer(): Promise<number> {
  server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('sink start-up', () => {
  it('logs the step it hangs in (a registry that never answers), again and again', async () => {
    const port = await silentServer();
    const lines: string[] = [];
    const logger = createLogger({ component: 'sink', write: (line) => lines.push(line) });
    const starting = startSink({
      config: {
        brokers: ['127.0.0.1:1'],
        clientId: 'sink-startup-test',
        schemaRegistryUrl: `http://127.0.0.1:${String(port)}`,
        clickhouse: { url: 'http://127.0.0.1:1', username: 'default', password: '' },
        factsDatabase: 'cs_facts',
        groupId: 'sink-startup-test',
        batchRows: 10,
        batchMs: 100,
        retry: { initialDelayMs: 10, maxDelayMs: 100, multiplier: 2 },
        drainMs: 0,
        metricsPort: null,
      },
      catalog: topicCatalog({ prefix: 'startup_' }),
      logger,
      startWarnMs: 100,
    });
    const outcome = starting.then(
      () => 'started',
      () => 'failed',
    );

    const slow = (): Array<Record<string, unknown>> =>
      lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.message === 'start-up is slow');
    const deadline = Date.now() + 10_000;
    while (slow().length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(slow().length).toBeGreaterThanOrEqual(2);
    expect(slow()[0]).toMatchObject({ level: 'warn', step: 'registering schemas' });

    // The registry goes away: start-up fails (it does not hang for ever), and stops warning.
    server?.close();
    for (const socket of sockets) socket.destroy();
    expect(await outcome).toBe('failed');
    const warned = slow().length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slow().length).toBe(warned);
  }, 60_000);
});
