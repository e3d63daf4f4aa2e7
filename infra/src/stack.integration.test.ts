import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackProfile } from './profile.js';
import { stackStatus, stackUp } from './stack.js';
import { uniqueName } from './testing/index.js';

describe('stack up', () => {
  let blocker: Server;
  let port = 0;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const address = blocker.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    port = address.port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('fails with a clear error naming the port when one is taken, and starts nothing', async () => {
    const profile = stackProfile(uniqueName('ports').replace(/_/g, '-').slice(0, 30), {
      CS_WAREHOUSE_PORT: String(port),
    });
    const attempt = stackUp(profile, { services: ['warehouse'], log: () => undefined });
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `port ${port} \\(embedded warehouse \\(ClickHouse HTTP\\)\\) is taken by another process.*CS_WAREHOUSE_PORT`,
      ),
    );
    const status = await stackStatus(profile);
    expect(status.every((service) => service.state === 'stopped')).toBe(true);
    rmSync(profile.dir, { recursive: true, force: true });
  });
});
