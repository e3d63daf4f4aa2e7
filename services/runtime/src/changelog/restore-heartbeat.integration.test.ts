import { logLevel, type Admin, type Kafka, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import {
  committedOffsets,
  createTopics,
  eventually,
  produce,
  quietLogger,
  testKafka,
} from '../../test/kafka-support.js';
import { createConsumerShell, type ConsumerShell } from '../consumer/consumer-shell.js';
import { outcome } from '../consumer/outcome.js';
import { PartitionStates } from './partition-states.js';
import { restoreChangelogPartition } from './restore-changelog-partition.js';

// A changelog restore runs inside the record handler. kafkajs heartbeats only between the calls it
// makes, so a restore longer than the session timeout got the member evicted mid-restore (and the
// next owner restored again, and so on). The shell now heartbeats while a record is handled.
const services = testServices();
let kafka: Kafka;
let admin: Admin;
const created: string[] = [];
const shells: ConsumerShell[] = [];
const producers: Producer[] = [];

const SESSION_TIMEOUT_MS = 6_000;
const RESTORE_DELAY_MS = 10_000;

beforeAll(async () => {
  kafka = testKafka(services.kafkaBrokers, 'runtime-restore-it');
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(shells.map((shell) => shell.stop()));
  await Promise.all(producers.map((producer) => producer.disconnect().catch(() => undefined)));
  if (created.length > 0) await admin.deleteTopics({ topics: created });
  await admin.disconnect();
});

describe('a changelog restore longer than the session timeout', () => {
  it('completes without the member being evicted, and every assigned partition is fenced first', async () => {
    const input = uniqueName('in_restore');
    const changelog = uniqueName('changelog_restore');
    const dlq = uniqueName('dlq');
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: changelog, partitions: 2 },
      { topic: dlq },
    ]);
    created.push(input, changelog, dlq);
    const groupId = uniqueName('restore_hb');
    await produce(
      kafka,
      changelog,
      Array.from({ length: 50 }, (_, i) => ({ partition: 0, key: `user-${i}`, value: `s${i}` })),
    );

    // A previous owner of input partition 1 died inside a transaction: same transactional id as
    // the shell's producer of that partition (`<group>-<topic>-<partition>`), still open.
    const zombie = kafka.producer({
      transactionalId: `${groupId}-${input}-1`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    producers.push(zombie);
    await zombie.connect();
    const open = await zombie.transaction();
    await open.send({ topic: changelog, messages: [{ partition: 1, key: 'ghost', value: 'x' }] });

    const assignments: number[] = [];
    const restores: Array<{ partition: number; records: number }> = [];
    const seen: string[] = [];
    const states = new PartitionStates<Map<string, string>>({
      topic: input,
      create: () => new Map(),
      restore: async (partition, state) => {
        const result = await restoreChangelogPartition({
          kafka,
          admin,
          topic: changelog,
          partition,
          groupIdPrefix: groupId,
          timeoutMs: 60_000,
          onRecord: (key, value) => state.set(key, value?.toString('utf8') ?? ''),
        });
        // A restore slower than the session timeout (a big changelog on a loaded machine).
        await new Promise((resolve) => setTimeout(resolve, RESTORE_DELAY_MS));
        restores.push({ partition, records: result.records });
      },
      logger: quietLogger,
    });
    const shell = createConsumerShell<string>({
      config: {
        brokers: services.kafkaBrokers,
        clientId: 'runtime-restore-it',
        groupId,
        topics: [input],
        dlqTopic: dlq,
        mode: 'exactly-once',
        metricsPort: 0,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: 1_000,
        maxWaitTimeMs: 200,
        producerRetries: 1,
      },
      decode: (record) => Promise.resolve(record.value?.toString('utf8') ?? ''),
      handle: async ({ data, source }) => {
        const state = await states.stateFor(source);
        if (state === undefined) return outcome.retry('restore failed');
        seen.push(`${data}:${state.get('user-49') ?? 'missing'}`);
        states.handled(source);
        return outcome.ok();
      },
      onAssigned: (partitions) => {
        assignments.push(partitions.length);
        states.assigned(partitions);
      },
      kafkaLogLevel: logLevel.NOTHING,
      logger: quietLogger,
    });
    shells.push(shell);
    await produce(kafka, input, [
      { partition: 0, key: 'k', value: 'e1' },
      { partition: 0, key: 'k', value: 'e2' },
    ]);
    await shell.start();

    await eventually(
      () => committedOffsets(admin, groupId, input),
      (committed) => committed.get(0) === 2n,
      90_000,
      'input partition 0 committed',
    );
    // One generation: the member stayed in the group through the restore.
    expect(assignments).toEqual([2]);
    expect(restores).toEqual([{ partition: 0, records: 50 }]);
    expect(seen).toEqual(['e1:s49', 'e2:s49']);
    // Partition 1 has had no record, yet its previous owner is fenced: its transaction is gone.
    await expect(open.commit()).rejects.toThrow();
  });
});
