import { describe, expect, it } from 'vitest';
import { createLogger } from '@cs/runtime';
import { createClient, type Client } from './client.js';
import { FakeClock } from './fake-clock.test-support.js';

// No network here: the gateway URL is never reached because nothing valid is flushed.
function gatewayClient(): Client {
  return createClient({
    transport: { kind: 'gateway', url: 'http://127.0.0.1:1', writeKey: 'k' },
    clock: new FakeClock(),
    logger: createLogger({ component: 'sdk-test', level: 'error' }),
  });
}

describe('createClient', () => {
  it('needs a tenant with the Kafka transport', () => {
    expect(() =>
      createClient({ transport: { kind: 'kafka', brokers: ['h:1'], registryUrl: 'http://h' } }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('refuses a bad batch size', () => {
    expect(() =>
      createClient({
        transport: { kind: 'gateway', url: 'http://h', writeKey: 'k' },
        batchSize: 0,
      }),
    ).toThrow('batchSize must be an integer ≥ 1, got 0');
  });

  it('throws on a bad call before queueing anything', async () => {
    const client = gatewayClient();
    expect(() => client.track({ userId: '', accountId: 'a' })).toThrow(/usage\.userId: /);
    expect(await client.close()).toEqual({ delivered: 0, failed: 0 });
  });

  it('refuses calls once closed', async () => {
    const client = gatewayClient();
    await client.close();
    expect(() => client.identify({ userId: 'u', accountId: 'a' })).toThrow(
      expect.objectContaining({ code: 'CLIENT_CLOSED' }),
    );
  });
});
