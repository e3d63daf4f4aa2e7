import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '@cs/gateway';
import { testServices, uniqueName } from '@cs/infra/testing';
import { deleteTopics, readPublished } from '@cs/publisher/testing';
import { createLogger, type CsError } from '@cs/runtime';
import { topicCatalog, type CanonicalEvent } from '@cs/schemas';
import { loadTenants } from '@cs/tenants';
import { createClient, type Client } from './client.js';

// The SDK against real services: Kafka + registry directly, and a real gateway in front of them.
// Each transport writes to topics of its own unique prefix, deleted afterwards with their subjects.
const services = testServices();
const quiet = createLogger({ component: 'sdk-integration', level: 'error' });
const kafkaTopics = topicCatalog({ prefix: `${uniqueName('sdk_kafka')}.`, partitions: 2 });
const gatewayTopics = topicCatalog({ prefix: `${uniqueName('sdk_gateway')}.`, partitions: 2 });
const WRITE_KEY = 'sdk-test-write-key-0123456789';
let gateway: Gateway;
let tenantsDir: string;

async function deleteSubjects(catalog: typeof kafkaTopics): Promise<void> {
  for (const topic of catalog.all) {
    const subject = encodeURIComponent(topic.subject);
    for (const query of ['', '?permanent=true']) {
      const response = await fetch(`${services.schemaRegistryUrl}/subjects/${subject}${query}`, {
        method: 'DELETE',
      });
      await response.body?.cancel();
    }
  }
}

/** One call of each kind, some with ids and timestamps of their own. */
function sendAll(client: Client): CanonicalEvent[] {
  const sent: CanonicalEvent[] = [];
  sent.push(client.group({ accountId: 'acc-1', name: 'Acme Corp', parentId: null }));
  sent.push(client.identify({ userId: 'usr-1', accountId: 'acc-1', email: 'a@example.com' }));
  for (let i = 0; i < 25; i++) {
    sent.push(
      client.track({
        userId: 'usr-1',
        accountId: 'acc-1',
        module: 'reports',
        feature: i % 5 === 0 ? undefined : 'export',
        count: 1 + (i % 3),
        ts: Date.UTC(2026, 0, 5, 9, i),
        ...(i === 0 ? { id: 'first-track' } : {}),
      }),
    );
  }
  sent.push(
    client.subscription({
      subscriptionId: 'sub-1',
      accountId: 'acc-1',
      action: 'start',
      plan: 'team',
      amount: '199.99',
      quantity: 3,
      currency: 'USD',
    }),
  );
  sent.push(
    client.invoice({
      invoiceId: 'inv-1',
      accountId: 'acc-1',
      issuedAt: new Date(Date.UTC(2026, 0, 1)),
      recurringAmount: 599.97,
      currency: 'USD',
    }),
  );
  sent.push(
    client.ticket({
      ticketId: 'tk-1',
      accountId: 'acc-1',
      status: 'closed',
      createdAt: '2026-01-02T08:00:00Z',
      closedAt: '2026-01-03T08:00:00+01:00',
    }),
  );
  return sent;
}

const sorted = (events: readonly CanonicalEvent[]): string[] =>
  events.map((event) => JSON.stringify(event)).sort();

beforeAll(async () => {
  tenantsDir = mkdtempSync(join(tmpdir(), 'cs-sdk-'));
  const file = join(tenantsDir, 'tenants.json');
  writeFileSync(file, JSON.stringify({ tenants: [{ id: 'sdk_gw', apiKeys: [WRITE_KEY] }] }));
  gateway = await startGateway({
    port: 0,
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
    tenants: loadTenants(file),
    topics: gatewayTopics,
    logger: quiet,
  });
});

afterAll(async () => {
  await gateway.stop();
  rmSync(tenantsDir, { recursive: true, force: true });
  for (const catalog of [kafkaTopics, gatewayTopics]) {
    await deleteTopics(services.kafkaBrokers, catalog);
    await deleteSubjects(catalog);
  }
});

describe('Kafka transport', () => {
  it('delivers every call, decoded equal to what the calls returned, in call order per key', async () => {
    const errors: CsError[] = [];
    const client = createClient({
      transport: {
        kind: 'kafka',
        brokers: services.kafkaBrokers,
        registryUrl: services.schemaRegistryUrl,
        topics: kafkaTopics,
      },
      tenant: 'sdk_kafka',
      batchSize: 7,
      flushIntervalMs: 50,
      onError: (error) => errors.push(error),
      logger: quiet,
    });
    const sent = sendAll(client);
    expect(await client.close()).toEqual({ delivered: sent.length, failed: 0 });
    expect(errors).toEqual([]);

    const published = await readPublished({
      brokers: services.kafkaBrokers,
      registryUrl: services.schemaRegistryUrl,
      topics: kafkaTopics,
    });
    expect(sorted(published.map((record) => record.event))).toEqual(sorted(sent));
    const usageIds = published
      .filter((record) => record.type === 'usage')
      .map((record) => record.event.id);
    expect(usageIds).toEqual(sent.filter((event) => event.type === 'usage').map((e) => e.id));
    expect(usageIds[0]).toBe('first-track');
  });

  it('retries while Kafka is unreachable, then hands the batch to onError', async () => {
    const failures: { code: string; ids: string[] }[] = [];
    const client = createClient({
      transport: {
        kind: 'kafka',
        brokers: ['127.0.0.1:1'],
        registryUrl: services.schemaRegistryUrl,
        topics: kafkaTopics,
      },
      tenant: 'sdk_kafka',
      maxRetries: 1,
      backoff: { initialMs: 10, maxMs: 20 },
      onError: (error, events) =>
        failures.push({ code: error.code, ids: events.map((event) => event.id) }),
      logger: quiet,
    });
    const event = client.track({ userId: 'u', accountId: 'a' });
    expect(await client.close()).toEqual({ delivered: 0, failed: 1 });
    expect(failures).toEqual([{ code: 'KAFKA_UNAVAILABLE', ids: [event.id] }]);
  });
});

describe('gateway transport', () => {
  it('delivers every call through a real gateway, the tenant taken from the write key', async () => {
    const errors: CsError[] = [];
    const client = createClient({
      transport: { kind: 'gateway', url: gateway.url, writeKey: WRITE_KEY },
      batchSize: 10,
      flushIntervalMs: 50,
      onError: (error) => errors.push(error),
      logger: quiet,
    });
    const sent = sendAll(client);
    expect(await client.close()).toEqual({ delivered: sent.length, failed: 0 });
    expect(errors).toEqual([]);

    const published = await readPublished({
      brokers: services.kafkaBrokers,
      registryUrl: services.schemaRegistryUrl,
      topics: gatewayTopics,
    });
    const expected = sent.map((event) => ({ ...event, tenant: 'sdk_gw' }));
    expect(sorted(published.map((record) => record.event))).toEqual(sorted(expected));
  });

  it('reports a refused write key to onError without retrying', async () => {
    const failures: { code: string; message: string }[] = [];
    const client = createClient({
      transport: { kind: 'gateway', url: gateway.url, writeKey: 'not-a-key-0123456789' },
      maxRetries: 5,
      onError: (error) => failures.push({ code: error.code, message: error.message }),
      logger: quiet,
    });
    client.track({ userId: 'u', accountId: 'a' });
    expect(await client.close()).toEqual({ delivered: 0, failed: 1 });
    expect(failures).toEqual([
      { code: 'GATEWAY_REFUSED', message: expect.stringContaining('answered 401') as string },
    ]);
  });
});
