import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { logLevel, type Admin, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import {
  committedOffsets,
  createTopics,
  eventually,
  produce,
  quietLogger,
  readTopic,
  sum,
  testKafka,
} from '../../test/kafka-support.js';
import { createConsumerShell, type ConsumerShell } from './consumer-shell.js';
import { outcome, type RecordHandler } from './outcome.js';

// Real Kafka, exactly-once mode: transactions hold outputs, changelog and input offsets together.
const services = testServices();
let kafka: Kafka;
let admin: Admin;
const created: string[] = [];
const shells: ConsumerShell[] = [];
const children: ChildProcess[] = [];

function eosShell(
  groupId: string,
  input: string,
  dlq: string,
  handle: RecordHandler<string>,
): ConsumerShell {
  const shell = createConsumerShell<string>({
    config: {
      brokers: services.kafkaBrokers,
      clientId: 'runtime-eos-it',
      groupId,
      topics: [input],
      dlqTopic: dlq,
      mode: 'exactly-once',
      commitEvery: 5,
      metricsPort: 0,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      maxWaitTimeMs: 200,
      producerRetries: 1,
    },
    decode: (record) => Promise.resolve(record.value?.toString('utf8') ?? ''),
    handle,
    kafkaLogLevel: logLevel.NOTHING,
    logger: quietLogger,
  });
  shells.push(shell);
  return shell;
}

async function topics(
  ...specs: Array<{ name: string; partitions?: number; config?: Record<string, string> }>
) {
  const names = specs.map((spec) => uniqueName(spec.name));
  await createTopics(
    admin,
    specs.map((spec, i) => ({ ...spec, topic: names[i] ?? '' })),
  );
  created.push(...names);
  return names;
}

beforeAll(async () => {
  kafka = testKafka(services.kafkaBrokers);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(shells.map((shell) => shell.stop()));
  if (created.length > 0) await admin.deleteTopics({ topics: created });
  await admin.disconnect();
});

describe('consumer shell, exactly-once', () => {
  it('an aborted transaction is invisible to read-committed readers; the retried one is visible once', async () => {
    // The changelog topic accepts small records only: the first try writes the output, then fails
    // on an oversized changelog record in the same transaction, which is aborted.
    const [input = '', output = '', changelog = '', dlq = ''] = await topics(
      { name: 'in' },
      { name: 'out' },
      { name: 'changelog', config: { 'max.message.bytes': '2000' } },
      { name: 'dlq' },
    );
    await produce(kafka, input, [{ key: 'u1', value: 'e1' }]);
    let attempts = 0;
    const groupId = uniqueName('eos');
    const shell = eosShell(groupId, input, dlq, ({ data, source }) => {
      attempts += 1;
      const state = Buffer.alloc(attempts === 1 ? 50_000 : 10, 1);
      return Promise.resolve(
        outcome.ok(
          [{ topic: output, key: source.key, value: Buffer.from(`out:${data}`) }],
          [{ topic: changelog, key: source.key, value: state }],
        ),
      );
    });
    await shell.start();
    await eventually(
      () => committedOffsets(admin, groupId, input),
      (c) => sum(c) === 1n,
      30_000,
      'committed',
    );
    expect(shell.metrics.deliveryFailures.value({ group: groupId })).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeGreaterThanOrEqual(2);

    const committed = await readTopic(kafka, output, { expected: 1 });
    const everything = await readTopic(kafka, output, { expected: 2, readUncommitted: true });
    expect(committed.map((m) => String(m.value))).toEqual(['out:e1']);
    // The aborted copy is in the log, only read_uncommitted sees it.
    expect(everything.map((m) => String(m.value))).toEqual(['out:e1', 'out:e1']);
    expect(
      (await readTopic(kafka, changelog, { expected: 1 })).map((m) => m.value?.length),
    ).toEqual([10]);
  });

  it('a processor SIGKILLed mid-stream and restarted yields each input exactly once (read committed)', async () => {
    const [input = '', output = '', dlq = ''] = await topics(
      { name: 'in', partitions: 2 },
      { name: 'out' },
      { name: 'dlq' },
    );
    const total = 200;
    await produce(
      kafka,
      input,
      Array.from({ length: total }, (_, n) => ({
        key: `u${n % 7}`,
        value: `e${n}`,
        partition: n % 2,
      })),
    );
    const groupId = uniqueName('eos_crash');
    const worker = spawn(
      process.execPath,
      [
        '--conditions=@cs/source',
        '--import',
        'tsx',
        fileURLToPath(new URL('../../test/eos-worker.ts', import.meta.url)),
      ],
      {
        env: {
          ...process.env,
          BROKERS: services.kafkaBrokers.join(','),
          INPUT: input,
          OUTPUT: output,
          DLQ: dlq,
          GROUP: groupId,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(worker);
    // Killed once a fifth is committed: with 5-record transactions every few milliseconds, the
    // kill usually lands with a transaction open (outputs written, not committed).
    await eventually(
      () => committedOffsets(admin, groupId, input),
      (c) => sum(c) >= 40n,
      30_000,
      'worker progress',
    );
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
    const committedAtKill = sum(await committedOffsets(admin, groupId, input));
    expect(committedAtKill).toBeLessThan(BigInt(total));

    const restarted = eosShell(groupId, input, dlq, ({ data, source }) =>
      Promise.resolve(
        outcome.ok([{ topic: output, key: source.key, value: Buffer.from(`out:${data}`) }]),
      ),
    );
    await restarted.start();
    await eventually(
      () => committedOffsets(admin, groupId, input),
      (c) => sum(c) === BigInt(total),
      45_000,
      'all committed',
    );

    const outputs = await readTopic(kafka, output, {
      expected: total,
      timeoutMs: 30_000,
      settleMs: 1_500,
    });
    const values = outputs.map((m) => String(m.value));
    expect(values).toHaveLength(total);
    expect(new Set(values).size).toBe(total);
    const raw = await readTopic(kafka, output, {
      expected: total,
      readUncommitted: true,
      settleMs: 1_000,
    });
    // Not asserted: whether the kill left an aborted tail depends on timing; logged for the record.
    console.log(
      `[eos] committed at kill: ${committedAtKill}, records in the log incl. aborted: ${raw.length}`,
    );
  });
});
