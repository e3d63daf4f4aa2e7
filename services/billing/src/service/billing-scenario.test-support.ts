/** Integration-test support: one isolated billing world (topic prefix, group) per test. */
import { Kafka, logLevel } from 'kafkajs';
import { testServices, uniqueName } from '@cs/infra/testing';
import { createPublisher, type Publisher } from '@cs/publisher';
import { deleteSubjects } from '@cs/publisher/testing';
import { createLogger, retryingKafka } from '@cs/runtime';
import { topicCatalog, validateEvent, type TopicCatalog, type ValidEvent } from '@cs/schemas';
import { parseTenants } from '@cs/tenants';
import { startBilling, type BillingService } from './billing-service.js';
import { readDerived, type DerivedReader } from './derived-reader.test-support.js';

export const TENANT = 'acme';
export const quietLogger = createLogger({ component: 'billing-test', write: () => undefined });
export const tenants = parseTenants(
  JSON.stringify({ tenants: [{ id: TENANT, timezone: 'Europe/Paris' }] }),
  'test-tenants.json',
);

export interface BillingWorld {
  readonly prefix: string;
  readonly groupId: string;
  readonly catalog: TopicCatalog;
  readonly publisher: Publisher;
  readonly reader: DerivedReader;
  startBilling(): Promise<BillingService>;
  publish(...events: unknown[]): Promise<void>;
  cleanup(): Promise<void>;
}

export function valid(event: unknown): ValidEvent {
  const result = validateEvent(event);
  if (!result.ok) throw new Error(`test event invalid: ${JSON.stringify(result.errors)}`);
  return result;
}

export function subscription(
  id: string,
  accountId: string,
  ts: string,
  action: 'start' | 'change' | 'renewal' | 'cancel',
  amount?: number,
  subscriptionId = 's1',
): Record<string, unknown> {
  return {
    type: 'subscription',
    id,
    tenant: TENANT,
    ts,
    subscriptionId,
    accountId,
    action,
    ...(amount === undefined ? {} : { amount }),
  };
}

export async function billingWorld(name: string): Promise<BillingWorld> {
  const services = testServices();
  const prefix = `${uniqueName(name)}.`;
  const groupId = uniqueName(`${name}_group`);
  const catalog = topicCatalog({ prefix });
  const publisher = createPublisher({
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
    topics: catalog,
    logger: quietLogger,
  });
  // NOTE: topic creation races leader election on a busy broker; the error is retriable.
  await retryingKafka(() => publisher.start());
  const reader = await readDerived({
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
    catalog,
    names: ['mrr-movement', 'account-mrr', 'invoice-state', 'ticket-state'],
  });
  const started: BillingService[] = [];
  return {
    prefix,
    groupId,
    catalog,
    publisher,
    reader,
    async startBilling() {
      const service = await startBilling({
        brokers: services.kafkaBrokers,
        registryUrl: services.schemaRegistryUrl,
        tenants,
        topicPrefix: prefix,
        groupId,
        metricsPort: 0,
        commitEvery: 3,
        logger: quietLogger,
        kafkaLogLevel: logLevel.NOTHING,
        consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, maxWaitTimeMs: 200 },
      });
      started.push(service);
      return service;
    },
    async publish(...events) {
      await publisher.publish(events.map(valid));
    },
    async cleanup() {
      await Promise.all(started.map((service) => service.stop()));
      await reader.stop();
      await publisher.stop();
      await deletePrefixedTopics(services.kafkaBrokers, prefix);
      await deleteSubjects(services.schemaRegistryUrl, catalog);
    },
  };
}

/** Every topic of the test's prefix, the changelog included. */
export async function deletePrefixedTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'billing-test',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
