// The kafkajs patch (patches/kafkajs+2.2.4.patch) keeps a transactional producer's coordinators
// instead of sending FindCoordinator before every transactional request. Against the real broker:
// transactions still commit what they hold, and the lookups are not repeated. (Forgetting a
// coordinator after a failed request is unit-tested in kafkajs-patch.test.ts.)
import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { committedOffsets, createTopics, readTopic, testKafka } from '../../test/kafka-support.js';

const services = testServices();
let kafka: Kafka;
let admin: Admin;
const created: string[] = [];
const producers: Producer[] = [];

beforeAll(async () => {
  kafka = testKafka(services.kafkaBrokers);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(producers.map((producer) => producer.disconnect().catch(() => undefined)));
  if (created.length > 0) await admin.deleteTopics({ topics: created });
  await admin.disconnect();
});

/** A transactional producer that counts the requests it sends, by API name. */
async function countingProducer(): Promise<{ producer: Producer; requests: Map<string, number> }> {
  const producer = kafka.producer({
    transactionalId: uniqueName('tx'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  producers.push(producer);
  const requests = new Map<string, number>();
  producer.on(producer.events.REQUEST, ({ payload }) => {
    requests.set(payload.apiName, (requests.get(payload.apiName) ?? 0) + 1);
  });
  await producer.connect();
  return { producer, requests };
}

describe('kafkajs patch: transactional coordinators', () => {
  it('commits every transaction with one coordinator lookup per coordinator, not one per request', async () => {
    const topic = uniqueName('coord');
    const input = uniqueName('coord_in');
    const groupId = uniqueName('coord_group');
    created.push(topic, input);
    await createTopics(admin, [
      { topic, partitions: 2 },
      { topic: input, partitions: 1 },
    ]);
    const { producer, requests } = await countingProducer();

    const transactions = 8;
    for (let i = 0; i < transactions; i += 1) {
      const transaction = await producer.transaction();
      await transaction.send({
        topic,
        messages: [
          { key: `a${i}`, value: `v${i}`, partition: 0 },
          { key: `b${i}`, value: `v${i}`, partition: 1 },
        ],
      });
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: String(i + 1) }] }],
      });
      await transaction.commit();
    }

    const count = (api: string): number => requests.get(api) ?? 0;
    expect(count('EndTxn')).toBeGreaterThanOrEqual(transactions);
    // Refusals kafkajs retries (CONCURRENT_TRANSACTIONS right after a commit) keep the coordinator.
    // InitProducerId's lookup, then one for the transaction coordinator and one for the group's;
    // unpatched kafkajs looks one up before each of 4 requests per transaction (32+ here).
    expect(count('GroupCoordinator')).toBeLessThanOrEqual(3);

    const records = await readTopic(kafka, topic, { expected: 2 * transactions });
    expect(records.map((r) => r.value?.toString()).sort()).toEqual(
      Array.from({ length: transactions }, (_, i) => [`v${i}`, `v${i}`])
        .flat()
        .sort(),
    );
    expect(await committedOffsets(admin, groupId, input)).toEqual(
      new Map([[0, BigInt(transactions)]]),
    );
  });
});
