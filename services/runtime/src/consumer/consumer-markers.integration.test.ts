import { logLevel, type Admin, type Kafka, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import {
  committedOffsets,
  createTopics,
  eventually,
  quietLogger,
  testKafka,
} from '../../test/kafka-support.js';
import { createConsumerShell, type ConsumerShell } from './consumer-shell.js';
import { outcome } from './outcome.js';

// Regression: on an input topic written in transactions, each transaction ends with a marker. When
// a fetch holds only a marker (or an aborted transaction), kafkajs 2.2 never calls eachBatch, so
// the shell committed "last record + 1" and the group's lag stayed above 0 until the next record.
const services = testServices();
let kafka: Kafka;
let admin: Admin;
const created: string[] = [];
const shells: ConsumerShell[] = [];
const producers: Producer[] = [];

beforeAll(async () => {
  kafka = testKafka(services.kafkaBrokers);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(shells.map((shell) => shell.stop()));
  await Promise.all(producers.map((producer) => producer.disconnect()));
  if (created.length > 0) await admin.deleteTopics({ topics: created });
  await admin.disconnect();
});

describe.each(['at-least-once', 'exactly-once'] as const)('consumer shell, %s', (mode) => {
  it('commits past markers and aborted records that end the input (lag 0)', async () => {
    const input = uniqueName('in_tx');
    const dlq = uniqueName('dlq');
    await createTopics(admin, [{ topic: input, partitions: 2 }, { topic: dlq }]);
    created.push(input, dlq);
    const groupId = uniqueName(`markers_${mode}`);
    // Values, not calls: a failed delivery (exactly-once: CONCURRENT_TRANSACTIONS right after a
    // commit, say) hands its records to the handler again.
    const handled = new Set<string>();
    const shell = createConsumerShell<string>({
      config: {
        brokers: services.kafkaBrokers,
        clientId: 'runtime-markers-it',
        groupId,
        topics: [input],
        dlqTopic: dlq,
        mode,
        metricsPort: 0,
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 1_000,
        maxWaitTimeMs: 200,
        producerRetries: 1,
      },
      decode: (record) => Promise.resolve(record.value?.toString('utf8') ?? ''),
      handle: ({ data, source }) => {
        handled.add(`${source.partition}:${data}`);
        return Promise.resolve(outcome.ok());
      },
      kafkaLogLevel: logLevel.NOTHING,
      logger: quietLogger,
    });
    shells.push(shell);
    await shell.start();

    const producer = kafka.producer({
      transactionalId: uniqueName('markers_tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    producers.push(producer);
    await producer.connect();
    // Transactions over both partitions while the shell consumes: each ends with a marker. The
    // last one is aborted: a fetch of it holds nothing a read-committed consumer may see (its
    // records are filtered out with its marker), the case kafkajs hands no batch for at all.
    for (let round = 0; round < 6; round += 1) {
      const transaction = await producer.transaction();
      await transaction.send({
        topic: input,
        acks: -1,
        messages: [0, 1].flatMap((partition) =>
          [0, 1].map((i) => ({ partition, key: `k${i}`, value: `r${round}-${i}` })),
        ),
      });
      await (round < 5 ? transaction.commit() : transaction.abort());
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    const ends = new Map(
      (await admin.fetchTopicOffsets(input)).map((entry) => [entry.partition, BigInt(entry.high)]),
    );
    // Per partition and transaction: 2 records and a marker.
    expect([...ends.values()]).toEqual([18n, 18n]);
    const committed = await eventually(
      () => committedOffsets(admin, groupId, input),
      (c) => [...ends].every(([partition, high]) => c.get(partition) === high),
      30_000,
      'committed offsets at the high watermarks',
    );
    expect(handled.size).toBe(20);
    expect([...handled].some((value) => value.includes('r5-'))).toBe(false);
    expect([...committed.entries()].sort()).toEqual([...ends.entries()].sort());
  });
});
