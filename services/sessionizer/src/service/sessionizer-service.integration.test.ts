import type { Admin, Kafka } from 'kafkajs';
import { logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { DLQ_HEADERS } from '@cs/runtime';
import { generateUsage, interleave, shufflePerUser } from './generate-usage.test-support.js';
import { startSessionizer, type SessionizerService } from './sessionizer-service.js';
import {
  publishUsage,
  quietLogger,
  readCommitted,
  readNetted,
  referenceRun,
  testCatalog,
  testKafka,
  testTenants,
  waitForCommittedEnd,
  type UsageInput,
} from './sessionizer.test-support.js';
import { sessionizerTopics } from './sessionizer-topics.js';

// Real Kafka and registry. Every test has its own topic prefix and group; its topics are deleted.
const services = testServices();
const brokers = services.kafkaBrokers;
const registryUrl = services.schemaRegistryUrl;
let kafka: Kafka;
let admin: Admin;
const prefixes: string[] = [];
const running: SessionizerService[] = [];

beforeAll(async () => {
  kafka = testKafka(brokers);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(running.map((service) => service.stop()));
  const all = await admin.listTopics();
  const mine = all.filter((topic) => prefixes.some((prefix) => topic.startsWith(prefix)));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
});

function setup(name: string, partitions = 2) {
  const prefix = `${uniqueName(name)}_`;
  prefixes.push(prefix);
  const catalog = testCatalog(prefix, partitions);
  return {
    prefix,
    catalog,
    topics: sessionizerTopics(catalog, prefix),
    groupId: uniqueName(`${name}_group`),
    publish: (events: readonly UsageInput[]) => publishUsage(brokers, registryUrl, catalog, events),
    netted: () => readNetted(brokers, registryUrl, catalog, sessionizerTopics(catalog, prefix)),
  };
}

async function start(
  env: ReturnType<typeof setup>,
  partitions: number,
  commitEvery = 50,
): Promise<SessionizerService> {
  const service = await startSessionizer({
    brokers,
    registryUrl,
    tenants: testTenants(),
    topicPrefix: env.prefix,
    topicPartitions: partitions,
    groupId: env.groupId,
    metricsPort: 0,
    commitEvery,
    consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 100 },
    logger: quietLogger,
    kafkaLogLevel: logLevel.NOTHING,
  });
  running.push(service);
  return service;
}

const at = (time: string) => `2026-03-02T${time}:00.000Z`;

describe('sessionizer service', () => {
  it('the worked examples: sessions, module time and the midnight split, end to end', async () => {
    const env = setup('worked', 2);
    const events: UsageInput[] = [
      { id: 'e1', userId: 'ann', ts: at('09:00'), module: 'Reports' },
      { id: 'e2', userId: 'ann', ts: at('09:10'), module: 'Billing' },
      { id: 'e3', userId: 'ann', ts: at('09:25'), module: 'Billing' },
      { id: 'e4', userId: 'ann', ts: at('10:30'), module: 'Reports' },
      { id: 'n1', userId: 'bob', ts: '2026-03-01T23:30:00.000Z' },
      { id: 'n2', userId: 'bob', ts: '2026-03-01T23:50:00.000Z' },
      { id: 'n3', userId: 'bob', ts: '2026-03-02T00:05:00.000Z' },
      { id: 'n4', userId: 'bob', ts: '2026-03-02T00:10:00.000Z' },
    ];
    await env.publish(events);
    const service = await start(env, 2);
    await waitForCommittedEnd(admin, env.groupId, env.topics.usage);
    const netted = await env.netted();

    const sessions = Object.entries(netted.sessions).map(([key, count]) => {
      const [, user, , , day, , , durationMs, n, modules] = JSON.parse(key) as [
        string,
        string,
        string,
        string,
        string,
        number,
        number,
        number,
        number,
        Array<[string, number]>,
      ];
      return { user, day, durationMs, events: n, modules: Object.fromEntries(modules), count };
    });
    expect(
      sessions.filter((s) => s.user === 'ann').sort((a, b) => b.durationMs - a.durationMs),
    ).toEqual([
      {
        user: 'ann',
        day: '2026-03-02',
        durationMs: 25 * 60_000,
        events: 3,
        modules: { Reports: 10 * 60_000, Billing: 15 * 60_000 },
        count: 1,
      },
      { user: 'ann', day: '2026-03-02', durationMs: 0, events: 1, modules: {}, count: 1 },
    ]);
    expect(
      sessions
        .filter((s) => s.user === 'bob')
        .map((s) => [s.day, s.durationMs, s.count])
        .sort(),
    ).toEqual([
      ['2026-03-01', 20 * 60_000, 1],
      ['2026-03-02', 5 * 60_000, 1],
    ]);
    expect(netted.time).toEqual({
      't1|ann|a1|2026-03-02|Billing|': 15 * 60_000,
      't1|ann|a1|2026-03-02|Reports|': 10 * 60_000,
      't1|bob|a1|2026-03-01||': 20 * 60_000,
      't1|bob|a1|2026-03-02||': 5 * 60_000,
    });
    expect(Object.keys(netted.activity)).toHaveLength(8);
    expect(netted).toEqual(referenceRun(events));
    // 'degraded' is allowed: a transaction that failed under load and was redelivered.
    expect(service.shell.health().status).not.toBe('error');
  });

  it('out-of-order arrival inside the horizon nets to the same figures as in-order', async () => {
    const env = setup('ooo', 2);
    const inOrder = interleave(generateUsage(6, 25, 11));
    await env.publish(shufflePerUser(inOrder, 3));
    await start(env, 2);
    await waitForCommittedEnd(admin, env.groupId, env.topics.usage);
    const netted = await env.netted();
    expect(netted.late).toBe(0);
    expect(netted).toEqual(referenceRun(inOrder));
  });

  it('a restart restores the state from the changelog: the net equals one uninterrupted run', async () => {
    const env = setup('restart', 2);
    const events = interleave(generateUsage(8, 24, 21));
    const half = Math.floor(events.length / 2);
    await env.publish(events.slice(0, half));
    const first = await start(env, 2);
    await waitForCommittedEnd(admin, env.groupId, env.topics.usage);
    await first.stop();

    await env.publish(events.slice(half));
    const second = await start(env, 2);
    await waitForCommittedEnd(admin, env.groupId, env.topics.usage);
    expect(second.shell.metrics.registry.format()).toMatch(/cs_sessionizer_restores_total\S* 2/);
    expect(await env.netted()).toEqual(referenceRun(events));
  });

  it('two instances share the partitions; a rebalance loses and duplicates nothing', async () => {
    const env = setup('rebalance', 3);
    const events = interleave(generateUsage(12, 24, 31));
    const chunk = Math.ceil(events.length / 4);
    await env.publish(events.slice(0, chunk));
    const first = await start(env, 3, 20);
    await env.publish(events.slice(chunk, 2 * chunk));
    const second = await start(env, 3, 20);
    await env.publish(events.slice(2 * chunk, 3 * chunk));
    await waitForCommittedEnd(admin, env.groupId, env.topics.usage);
    await first.stop();
    await env.publish(events.slice(3 * chunk));
    await waitForCommittedEnd(admin, env.groupId, env.topics.usage);
    expect(second.shell.health().status).not.toBe('error');
    expect(await env.netted()).toEqual(referenceRun(events));
  });

  it('a poison record goes to the dead-letter topic with its headers, and the stream goes on', async () => {
    const env = setup('poison', 1);
    const before: UsageInput[] = [{ id: 'p1', userId: 'cat', ts: at('09:00'), module: 'Reports' }];
    const after: UsageInput[] = [{ id: 'p2', userId: 'cat', ts: at('09:20'), module: 'Reports' }];
    await env.publish(before);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: env.topics.usage,
      messages: [
        {
          key: 't1/cat',
          value: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
          headers: { origin: 'test' },
        },
      ],
    });
    await producer.disconnect();
    await env.publish(after);
    await start(env, 1);
    await waitForCommittedEnd(admin, env.groupId, env.topics.usage);

    const dead = (await readCommitted(kafka, admin, [env.topics.deadLetter])).get(
      env.topics.deadLetter,
    );
    expect(dead).toHaveLength(1);
    const [letter] = dead ?? [];
    expect(letter?.value).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(letter?.key?.toString()).toBe('t1/cat');
    expect(String(letter?.headers?.origin)).toBe('test');
    expect(String(letter?.headers?.[DLQ_HEADERS.step])).toBe('decode');
    expect(String(letter?.headers?.[DLQ_HEADERS.topic])).toBe(env.topics.usage);

    const netted = await env.netted();
    expect(netted).toEqual(referenceRun([...before, ...after]));
    expect(Object.values(netted.time)).toEqual([20 * 60_000]);
  });
});
