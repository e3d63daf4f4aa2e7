import type { Admin, Kafka } from 'kafkajs';
import { logLevel } from 'kafkajs';
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
import type { ConsumerConfigInput } from './consumer-config.js';
import { createConsumerShell, type ConsumerShell } from './consumer-shell.js';
import { DLQ_HEADERS } from './dead-letter.js';
import { outcome, type RecordDecoder, type RecordHandler } from './outcome.js';

// Real Kafka. Every test has its own topics and group (unique names) and deletes its topics.
const services = testServices();
let kafka: Kafka;
let admin: Admin;
const created: string[] = [];
const shells: ConsumerShell[] = [];

interface Event {
  readonly n: number;
  readonly key: string;
}

const decodeJson: RecordDecoder<Event> = (record) => {
  // JSON.parse throws on the poison bytes: an undecodable record.
  const parsed = JSON.parse(record.value?.toString('utf8') ?? 'null') as unknown;
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('n' in parsed) ||
    typeof parsed.n !== 'number'
  ) {
    return Promise.reject(new Error('not an event'));
  }
  return Promise.resolve({ n: parsed.n, key: record.key?.toString() ?? '' });
};

const forwardTo =
  (topic: string): RecordHandler<Event> =>
  ({ data }) =>
    Promise.resolve(
      outcome.ok([{ topic, key: data.key, value: Buffer.from(JSON.stringify({ n: data.n })) }]),
    );

async function topics(...specs: Array<{ name: string; partitions?: number }>): Promise<string[]> {
  const names = specs.map((spec) => uniqueName(spec.name));
  await createTopics(
    admin,
    specs.map((spec, i) => ({ topic: names[i] ?? '', partitions: spec.partitions ?? 1 })),
  );
  created.push(...names);
  return names;
}

function shell(
  config: Partial<ConsumerConfigInput> & Pick<ConsumerConfigInput, 'topics' | 'dlqTopic'>,
  handle: RecordHandler<Event>,
): ConsumerShell {
  const s = createConsumerShell<Event>({
    config: {
      brokers: services.kafkaBrokers,
      clientId: 'runtime-it',
      groupId: uniqueName('shell'),
      metricsPort: 0,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      maxWaitTimeMs: 200,
      lagIntervalMs: 300,
      producerRetries: 1,
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
      ...config,
    },
    decode: decodeJson,
    handle,
    kafkaLogLevel: logLevel.NOTHING,
    logger: quietLogger,
  });
  shells.push(s);
  return s;
}

const events = (count: number, keys = 4) =>
  Array.from({ length: count }, (_, n) => ({ key: `k${n % keys}`, value: JSON.stringify({ n }) }));

beforeAll(async () => {
  kafka = testKafka(services.kafkaBrokers);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(shells.map((s) => s.stop()));
  if (created.length > 0) await admin.deleteTopics({ topics: created });
  await admin.disconnect();
});

describe('consumer shell, at-least-once', () => {
  it('handles records in order per key and commits all of them once their outputs are acknowledged', async () => {
    const [input = '', output = '', dlq = ''] = await topics(
      { name: 'in', partitions: 2 },
      { name: 'out' },
      { name: 'dlq' },
    );
    await produce(kafka, input, events(40));
    const s = shell({ topics: [input], dlqTopic: dlq, commitEvery: 7 }, forwardTo(output));
    await s.start();
    await eventually(
      () => committedOffsets(admin, s.config.groupId, input),
      (c) => sum(c) === 40n,
      20_000,
      'all committed',
    );
    const outputs = await readTopic(kafka, output, { expected: 40 });
    expect(outputs).toHaveLength(40);
    for (const key of ['k0', 'k1', 'k2', 'k3']) {
      const ns = outputs
        .filter((m) => m.key === key)
        .map((m) => (JSON.parse(String(m.value)) as Event).n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
      expect(ns).toHaveLength(10);
    }
  });

  it("reports each generation's assignment to onAssigned before handling its records", async () => {
    const [input = '', dlq = ''] = await topics({ name: 'in', partitions: 2 }, { name: 'dlq' });
    await produce(kafka, input, events(4));
    const generations: string[][] = [];
    let handledBeforeAssigned = 0;
    const s = createConsumerShell<Event>({
      config: {
        brokers: services.kafkaBrokers,
        clientId: 'runtime-it',
        groupId: uniqueName('assigned'),
        topics: [input],
        dlqTopic: dlq,
        metricsPort: 0,
        maxWaitTimeMs: 200,
      },
      decode: decodeJson,
      handle: () => {
        if (generations.length === 0) handledBeforeAssigned += 1;
        return Promise.resolve(outcome.ok());
      },
      onAssigned: (partitions) =>
        generations.push(partitions.map((tp) => `${tp.topic}:${tp.partition}`).sort()),
      kafkaLogLevel: logLevel.NOTHING,
      logger: quietLogger,
    });
    shells.push(s);
    await s.start();
    await eventually(
      () => committedOffsets(admin, s.config.groupId, input),
      (c) => sum(c) === 4n,
      20_000,
      'all committed',
    );
    expect(handledBeforeAssigned).toBe(0);
    expect(generations).toEqual([[`${input}:0`, `${input}:1`]]);
  });

  it('commits nothing while outputs cannot be acknowledged, then everything once they can', async () => {
    const [input = '', dlq = ''] = await topics({ name: 'in' }, { name: 'dlq' });
    const missingOutput = uniqueName('out_missing');
    await produce(kafka, input, events(5));
    const handled: number[] = [];
    const s = shell({ topics: [input], dlqTopic: dlq }, async (i) => {
      handled.push(i.data.n);
      return forwardTo(missingOutput)(i);
    });
    await s.start();
    // The producer may not create topics, so the output topic's absence fails every delivery.
    await eventually(
      () => s.metrics.deliveryFailures.value({ group: s.config.groupId }),
      (v) => v >= 2,
      20_000,
      'failures',
    );
    expect(handled.length).toBeGreaterThanOrEqual(10); // handled, failed, delivered again
    expect(s.health().status).toBe('degraded');
    expect(sum(await committedOffsets(admin, s.config.groupId, input))).toBe(0n);

    await createTopics(admin, [{ topic: missingOutput }]);
    created.push(missingOutput);
    await eventually(
      () => committedOffsets(admin, s.config.groupId, input),
      (c) => sum(c) === 5n,
      30_000,
      'committed',
    );
    const outputs = await readTopic(kafka, missingOutput, { expected: 5 });
    expect(new Set(outputs.map((m) => String(m.value))).size).toBe(5);
    await eventually(
      () => s.health().status,
      (status) => status === 'ok',
      5_000,
      'health ok',
    );
  });

  it('dead-letters an undecodable record with its original key, bytes and headers, and goes on', async () => {
    const [input = '', output = '', dlq = ''] = await topics(
      { name: 'in' },
      { name: 'out' },
      { name: 'dlq' },
    );
    const poison = Buffer.from([0xff, 0x00, 0xfe, 0x7b]);
    await produce(kafka, input, [
      { key: 'k', value: JSON.stringify({ n: 0 }) },
      { key: 'poisoned', value: poison },
      { key: 'k', value: JSON.stringify({ n: 2 }) },
    ]);
    const s = shell({ topics: [input], dlqTopic: dlq }, forwardTo(output));
    const before = Date.now();
    await s.start();
    const [dead] = await readTopic(kafka, dlq, { expected: 1 });
    const outputs = await readTopic(kafka, output, { expected: 2 });
    expect(outputs.map((m) => String(m.value))).toEqual(['{"n":0}', '{"n":2}']);
    expect(dead?.key).toBe('poisoned');
    expect(dead?.value?.equals(poison)).toBe(true);
    const header = (name: string) => dead?.headers[name]?.toString();
    expect(header(DLQ_HEADERS.step)).toBe('decode');
    expect(header(DLQ_HEADERS.reason)).toMatch(/JSON/);
    expect(header(DLQ_HEADERS.topic)).toBe(input);
    expect(header(DLQ_HEADERS.partition)).toBe('0');
    expect(header(DLQ_HEADERS.offset)).toBe('1');
    expect(Date.parse(header(DLQ_HEADERS.time) ?? '')).toBeGreaterThanOrEqual(before - 1000);
    await eventually(
      () => committedOffsets(admin, s.config.groupId, input),
      (c) => sum(c) === 3n,
    );
    expect(s.metrics.dlq.value({ group: s.config.groupId, topic: input, step: 'decode' })).toBe(1);
  });

  it('a failed dead-letter write blocks the commit; the record is delivered again after a restart', async () => {
    const [input = '', output = ''] = await topics({ name: 'in' }, { name: 'out' });
    const dlq = uniqueName('dlq_missing');
    const groupId = uniqueName('shell');
    await produce(kafka, input, [
      { key: 'k', value: JSON.stringify({ n: 0 }) },
      { key: 'poisoned', value: Buffer.from([0xff]) },
      { key: 'k', value: JSON.stringify({ n: 2 }) },
    ]);
    const first = shell({ topics: [input], dlqTopic: dlq, groupId }, forwardTo(output));
    await first.start();
    await eventually(
      () => first.metrics.deliveryFailures.value({ group: groupId }),
      (v) => v >= 1,
      20_000,
      'DLQ failure',
    );
    await first.stop();
    expect(first.metrics.dlq.value({ group: groupId, topic: input, step: 'decode' })).toBe(0);
    expect(sum(await committedOffsets(admin, groupId, input))).toBe(0n);

    await createTopics(admin, [{ topic: dlq }]);
    created.push(dlq);
    const second = shell({ topics: [input], dlqTopic: dlq, groupId }, forwardTo(output));
    await second.start();
    const [dead] = await readTopic(kafka, dlq, { expected: 1 });
    expect(dead?.value?.equals(Buffer.from([0xff]))).toBe(true);
    await eventually(
      () => committedOffsets(admin, groupId, input),
      (c) => sum(c) === 3n,
      20_000,
      'committed',
    );
  });

  it('pauses the busiest partitions under a small maxInFlight and resumes them when drained', async () => {
    const [input = '', output = '', dlq = ''] = await topics(
      { name: 'in', partitions: 3 },
      { name: 'out' },
      { name: 'dlq' },
    );
    await produce(
      kafka,
      input,
      Array.from({ length: 60 }, (_, n) => ({
        key: `k${n}`,
        value: JSON.stringify({ n }),
        partition: n % 3,
      })),
    );
    const seen = new Map<number, number[]>();
    const s = shell(
      { topics: [input], dlqTopic: dlq, maxInFlight: 4, commitEvery: 2, partitionsConcurrently: 3 },
      async (i) => {
        seen.set(i.source.partition, [...(seen.get(i.source.partition) ?? []), i.data.n]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return forwardTo(output)(i);
      },
    );
    await s.start();
    await eventually(
      () => committedOffsets(admin, s.config.groupId, input),
      (c) => sum(c) === 60n,
      30_000,
      'committed',
    );
    const group = { group: s.config.groupId };
    expect(s.metrics.pauses.value(group)).toBeGreaterThan(0);
    await eventually(
      () => s.metrics.pausedPartitions.value(group),
      (v) => v === 0,
      5_000,
      'all resumed',
    );
    // Released right after the commit the test saw, so polled too.
    await eventually(
      () => s.metrics.inFlight.value(group),
      (v) => v === 0,
      5_000,
      'nothing in flight',
    );
    for (const [partition, ns] of seen) {
      expect(ns, `partition ${partition} in order`).toEqual([...ns].sort((a, b) => a - b));
    }
    expect((await readTopic(kafka, output, { expected: 60 })).length).toBe(60);
  });
});

describe('health and metrics over HTTP', () => {
  it('shows lag while a record is stuck, counts, and 503 once retries are exhausted under the stop policy', async () => {
    const [input = '', output = '', dlq = ''] = await topics(
      { name: 'in' },
      { name: 'out' },
      { name: 'dlq' },
    );
    await produce(kafka, input, events(15, 1));
    const s = shell(
      {
        topics: [input],
        dlqTopic: dlq,
        commitEvery: 10,
        retry: { maxAttempts: 4, initialDelayMs: 300, maxDelayMs: 300, onExhausted: 'stop' },
      },
      async (i) => (i.data.n >= 10 ? outcome.retry('warehouse down') : forwardTo(output)(i)),
    );
    await s.start();
    const base = `http://127.0.0.1:${s.httpPort ?? 0}`;
    const labels = `group="${s.config.groupId}",topic="${input}"`;

    const metrics = await eventually(
      async () => (await fetch(`${base}/metrics`)).text(),
      (text) => text.includes(`cs_consumer_lag{${labels},partition="0"} 5`),
      10_000,
      'lag 5',
    );
    expect(metrics).toContain(`cs_records_in_total{${labels}} 10`);
    expect(metrics).toContain(
      `cs_records_out_total{group="${s.config.groupId}",topic="${output}"} 10`,
    );
    expect(metrics).toMatch(new RegExp(`cs_retries_total\\{${labels}\\} [1-9]`));
    expect(metrics).toMatch(/# TYPE cs_batch_duration_seconds histogram/);
    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok', reasons: [] });

    const exit = await s.done;
    expect(exit.kind).toBe('failed');
    const failed = await fetch(`${base}/healthz`);
    expect(failed.status).toBe(503);
    const body = (await failed.json()) as { status: string; reasons: string[] };
    expect(body.status).toBe('error');
    expect(body.reasons.join()).toMatch(/retries exhausted after 4 attempts: warehouse down/);
    // The stuck record was never committed: a restarted consumer starts at it.
    expect(await committedOffsets(admin, s.config.groupId, input)).toEqual(new Map([[0, 10n]]));
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
