import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { createTopics, testKafka } from '../../test/kafka-support.js';
import { restoreChangelogPartition } from './restore-changelog-partition.js';

// Regression: a changelog partition whose tail is an aborted transaction (an owner killed
// mid-transaction, then fenced by the next owner) ends with records a read-committed consumer
// never sees. kafkajs hands such a fetch to no eachBatch, so the restore waited for its timeout.
const services = testServices();
let kafka: Kafka;
let admin: Admin;
const created: string[] = [];

beforeAll(async () => {
  kafka = testKafka(services.kafkaBrokers, 'runtime-restore-tail-it');
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  if (created.length > 0) await admin.deleteTopics({ topics: created });
  await admin.disconnect();
});

describe('restoreChangelogPartition', () => {
  it('reads to the end of a partition whose tail is an aborted transaction', async () => {
    const changelog = uniqueName('changelog_aborted_tail');
    await createTopics(admin, [{ topic: changelog, partitions: 2 }]);
    created.push(changelog);
    const producer = kafka.producer({
      transactionalId: uniqueName('aborted_tail_tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({
        topic: changelog,
        messages: [{ partition: 0, key: 'kept', value: 'v1' }],
      });
      await committed.commit();
      for (const partition of [0, 1]) {
        const aborted = await producer.transaction();
        await aborted.send({
          topic: changelog,
          messages: [1, 2, 3].map((i) => ({ partition, key: `lost-${i}`, value: 'x' })),
        });
        await aborted.abort();
      }
    } finally {
      await producer.disconnect();
    }

    const read = async (partition: number) => {
      const records = new Map<string, string>();
      const result = await restoreChangelogPartition({
        kafka,
        admin,
        topic: changelog,
        partition,
        groupIdPrefix: uniqueName('restore_tail'),
        timeoutMs: 30_000,
        onRecord: (key, value) => records.set(key, value?.toString('utf8') ?? ''),
      });
      return { records, result };
    };
    // Partition 0: a committed record, then an aborted tail; partition 1: only an aborted one.
    const first = await read(0);
    expect([...first.records]).toEqual([['kept', 'v1']]);
    expect(first.result.endOffset).toBe('6');
    const second = await read(1);
    expect(second.records.size).toBe(0);
    expect(second.result.endOffset).toBe('4');
  });
});
