import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@cs/runtime';
import { readPublished } from '@cs/publisher/testing';
import { topicCatalog, type CanonicalEvent, type TopicCatalog } from '@cs/schemas';
import { loadTenants, type TenantDirectory } from '@cs/tenants';
import { testServices, uniqueName } from '@cs/infra/testing';
import { startGateway, type Gateway } from './gateway.js';

/** Test tenants, written to a temp tenants file the way an operator would. */
export const KEY_ACME = 'test-acme-key-0123456789';
export const KEY_GLOBEX = 'test-globex-key-0123456789';

export function tempTenants(): { tenants: TenantDirectory; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cs-gateway-'));
  const file = path.join(dir, 'tenants.json');
  writeFileSync(
    file,
    JSON.stringify({
      tenants: [
        { id: 'acme', apiKeys: [KEY_ACME] },
        { id: 'globex', timezone: 'Europe/Paris', apiKeys: [KEY_GLOBEX] },
      ],
    }),
  );
  return {
    tenants: loadTenants(file),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TestGateway {
  gateway: Gateway;
  topics: TopicCatalog;
  stop(): Promise<void>;
}

export async function startTestGateway(options: {
  name: string;
  brokers: string[];
  registryUrl: string;
  maxEventBytes?: number;
  maxRequestBytes?: number;
}): Promise<TestGateway> {
  const topics = topicCatalog({ prefix: `${uniqueName(options.name)}.`, partitions: 1 });
  const { tenants, cleanup } = tempTenants();
  const gateway = await startGateway({
    port: 0,
    brokers: options.brokers,
    registryUrl: options.registryUrl,
    tenants,
    topics,
    retryAfterSeconds: 1,
    logger: createLogger({ component: 'gateway-test', level: 'error' }),
    ...(options.maxEventBytes === undefined ? {} : { maxEventBytes: options.maxEventBytes }),
    ...(options.maxRequestBytes === undefined ? {} : { maxRequestBytes: options.maxRequestBytes }),
  });
  return {
    gateway,
    topics,
    stop: async () => {
      await gateway.stop();
      cleanup();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** POSTs to the gateway as a Segment client would (Basic auth with the key as user name). */
export async function post(
  url: string,
  body: string | Buffer,
  options: { key?: string | null; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    ...options.headers,
  };
  const key = options.key === undefined ? KEY_ACME : options.key;
  if (key !== null) headers.authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

/** What Kafka holds now on a catalog's raw topics, by event id, with the number of copies. */
export async function publishedById(
  topics: TopicCatalog,
): Promise<Map<string, { event: CanonicalEvent; copies: number }>> {
  const { kafkaBrokers, schemaRegistryUrl } = testServices();
  const records = await readPublished({
    brokers: kafkaBrokers,
    registryUrl: schemaRegistryUrl,
    topics,
  });
  const byId = new Map<string, { event: CanonicalEvent; copies: number }>();
  for (const { event } of records) {
    const seen = byId.get(event.id);
    byId.set(event.id, { event, copies: (seen?.copies ?? 0) + 1 });
  }
  return byId;
}
