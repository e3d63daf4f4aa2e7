import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { CsError, createLogger } from '@cs/runtime';
import { EVENT_TYPES, eventKey, topicCatalog, validateEvent, type ValidEvent } from '@cs/schemas';
import { createPublisher, type Publisher } from './publisher.js';
import { deleteSubjects, deleteTopics, readPublished } from './testing.js';

// Real Kafka and registry; this run's topics and subjects carry a unique prefix.
const services = testServices();
const topics = topicCatalog({ prefix: `${uniqueName('publisher')}.`, partitions: 2 });
const logger = createLogger({ component: 'publisher-test', level: 'error' });
let publisher: Publisher;

function valid(input: Record<string, unknown>): ValidEvent {
  const result = validateEvent(input);
  if (!result.ok) throw new Error(`fixture refused: ${JSON.stringify(result.errors)}`);
  return result;
}

/** Several events of every type, several users and accounts, interleaved. */
function mixedEvents(): ValidEvent[] {
  const events: ValidEvent[] = [];
  for (let i = 0; i < 5; i += 1) {
    const common = { tenant: 'acme', ts: 1_772_359_200_000 + i * 1000 };
    events.push(
      valid({
        type: 'usage',
        id: `u${i}`,
        ...common,
        accountId: `a${i % 2}`,
        userId: `x${i % 3}`,
        feature: 'export',
        count: i + 1,
        properties: { n: String(i) },
      }),
      valid({
        type: 'account',
        id: `a${i}`,
        ...common,
        accountId: `a${i}`,
        name: `Account ${i}`,
        parentId: i === 0 ? null : 'a0',
        joinDate: '2024-02-29',
      }),
      valid({
        type: 'user',
        id: `us${i}`,
        ...common,
        userId: `x${i}`,
        accountId: `a${i % 2}`,
        email: `x${i}@example.com`,
      }),
      valid({
        type: 'subscription',
        id: `s${i}`,
        ...common,
        subscriptionId: `sub${i}`,
        accountId: `a${i}`,
        action: 'start',
        amount: '166.666667',
        billingPeriodMonths: 12,
        currency: 'EUR',
      }),
      valid({
        type: 'invoice',
        id: `i${i}`,
        ...common,
        invoiceId: `inv${i}`,
        accountId: `a${i}`,
        issuedAt: common.ts,
        recurringAmount: 12.5,
      }),
      valid({
        type: 'ticket',
        id: `t${i}`,
        ...common,
        ticketId: `tk${i}`,
        accountId: `a${i}`,
        status: 'open',
        createdAt: common.ts,
      }),
    );
  }
  return events;
}

async function freePort(): Promise<number> {
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

beforeAll(async () => {
  publisher = createPublisher({
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
    topics,
    logger,
  });
  await publisher.start();
});

afterAll(async () => {
  await publisher.stop();
  await deleteTopics(services.kafkaBrokers, topics);
  await deleteSubjects(services.schemaRegistryUrl, topics);
});

describe('publisher against real Kafka and registry', () => {
  it('publishes every event type, keyed, and they decode to the canonical JSON sent', async () => {
    const events = mixedEvents();
    const result = await publisher.publish(events);
    expect(result.published).toBe(events.length);
    for (const type of EVENT_TYPES) expect(result.byTopic[topics.raw[type].name]).toBe(5);

    const read = await readPublished({
      brokers: services.kafkaBrokers,
      registryUrl: services.schemaRegistryUrl,
      topics,
    });
    const sent = events.map((event) => ({
      topic: topics.raw[event.type].name,
      key: eventKey(event.event),
      event: event.event,
    }));
    const received = read.map(({ topic, key, event }) => ({ topic, key, event }));
    const byId = (a: { event: { id: string } }, b: { event: { id: string } }): number =>
      a.event.id.localeCompare(b.event.id);
    expect(received.sort(byId)).toEqual(sent.sort(byId));
  });

  it('keeps one key on one partition, in publish order', async () => {
    const before = await readPublished({
      brokers: services.kafkaBrokers,
      registryUrl: services.schemaRegistryUrl,
      topics,
    });
    const ordered = Array.from({ length: 20 }, (_, i) =>
      valid({
        type: 'usage',
        id: `ord${i}`,
        tenant: 'acme',
        ts: 1_772_359_200_000 + i,
        accountId: 'a',
        userId: 'one',
      }),
    );
    for (let i = 0; i < ordered.length; i += 5) await publisher.publish(ordered.slice(i, i + 5));
    const after = await readPublished({
      brokers: services.kafkaBrokers,
      registryUrl: services.schemaRegistryUrl,
      topics,
    });
    const fresh = after.filter((record) => !before.some((old) => old.event.id === record.event.id));
    expect(new Set(fresh.map((record) => record.partition)).size).toBe(1);
    expect(fresh.map((record) => record.event.id)).toEqual(ordered.map((event) => event.event.id));
  });

  it('publishing nothing is a no-op', async () => {
    expect(await publisher.publish([])).toEqual({ published: 0, byTopic: {} });
  });

  it('rejects with a retriable KAFKA_UNAVAILABLE when no broker answers', async () => {
    const down = createPublisher({
      brokers: [`127.0.0.1:${await freePort()}`],
      registryUrl: services.schemaRegistryUrl,
      topics,
      logger,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
    });
    try {
      await expect(down.start()).rejects.toMatchObject({
        code: 'KAFKA_UNAVAILABLE',
        retriable: true,
      });
      const failure: unknown = await down
        .publish(mixedEvents().slice(0, 3))
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(CsError);
      expect(failure).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retriable: true });
      expect(await down.health()).toEqual({ kafka: false, registry: true });
    } finally {
      await down.stop();
    }
    await expect(down.publish(mixedEvents())).rejects.toMatchObject({ code: 'PUBLISHER_STOPPED' });
  });

  it('reports itself healthy when Kafka and the registry answer', async () => {
    expect(await publisher.health()).toEqual({ kafka: true, registry: true });
  });
});
