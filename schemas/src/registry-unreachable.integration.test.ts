import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CsError } from '@cs/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { createCodec } from './codec.js';
import { SCHEMA_NAMES } from './generated/index.js';
import {
  createSchemaRegistry,
  isConnectionFailure,
  registerSchemas,
  type SchemaIds,
} from './registry.js';
import { topicCatalog } from './topics.js';

const REFUSED = 'http://127.0.0.1:1/apis/ccompat/v7';

// Regression: the registry client reports a refused connection as HTTP 400, which made a registry
// that is down look like a permanent refusal, so no producer path retried it.
describe('registerSchemas with the registry down', () => {
  it('fails with a retriable error that says the registry is unreachable', async () => {
    const registry = createSchemaRegistry({ host: REFUSED });
    const attempt = registerSchemas(registry, topicCatalog({ prefix: 'unreachable.' }));
    await expect(attempt).rejects.toBeInstanceOf(CsError);
    await expect(attempt).rejects.toMatchObject({
      code: 'SCHEMA_REGISTER_FAILED',
      retriable: true,
    });
    await expect(attempt).rejects.toThrow(/registry is unreachable/);
  });
});

// Regression: a lookup of a writer schema while the registry was down failed as not retriable
// (status 400 again), which would have made a valid record a dead letter.
describe('decoding with the registry down', () => {
  it('fails with a retriable error, so the record waits for the registry', async () => {
    const ids = Object.fromEntries(SCHEMA_NAMES.map((name, i) => [name, i + 1])) as SchemaIds;
    const codec = createCodec(createSchemaRegistry({ host: REFUSED }), ids);
    // Confluent wire format: magic byte 0, then a schema id this codec does not know (lookup).
    const bytes = Buffer.from([0, 0, 0, 3, 231, 2]);
    await expect(codec.decode('usage', bytes)).rejects.toMatchObject({
      code: 'DECODE_UNKNOWN_SCHEMA',
      retriable: true,
    });
  });
});

// Regression: the client set no timeout, so a registry that took a request and never answered
// hung its caller for ever (`cs ingest` in a chaos run).
describe('a registry that never answers', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('fails the request after the timeout, as a connection failure (retriable)', async () => {
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const registry = createSchemaRegistry({
      host: `http://127.0.0.1:${String(port)}`,
      requestTimeoutMs: 300,
    });
    const started = performance.now();
    const failure: unknown = await registry.getSchema(1).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(isConnectionFailure(failure)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    await expect(
      registerSchemas(registry, topicCatalog({ prefix: 'silent.' })),
    ).rejects.toMatchObject({ code: 'SCHEMA_REGISTER_FAILED', retriable: true });
  });
});
