/**
 * The sessionizer service against real Kafka, in one run:
 *
 *   npm run bench -w @cs/sessionizer     (core bench, then this one)
 *
 * 1. events/s of the service (exactly-once: outputs + changelog + offsets per transaction) next to
 *    a raw kafkajs consumer reading the same usage topic (group join included in both);
 * 2. changelog bytes per active user after that run;
 * 3. restore time of a changelog partition holding BENCH_RESTORE_USERS (100k) small states.
 *
 * Env: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, BENCH_SERVICE_USERS (2000), BENCH_SERVICE_EVENTS_PER_USER
 * (25), BENCH_RESTORE_USERS (100000), BENCH_COMMIT_EVERY (the service's default), BENCH_CONCURRENCY
 * (1 partition at a time), BENCH_CPU_PROFILE (a .cpuprofile path: the service run, profiled).
 * Prints figures, the service's CPU per event among them (steadier than rates on a shared machine)
 * and the records it produced per event; asserts nothing. Topics get a unique prefix and are
 * deleted.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Kafka, logLevel } from 'kafkajs';
import { restoreChangelogPartition } from '@cs/runtime';
import { deleteSubjects } from '@cs/publisher/testing';
import { applyEvent } from '../src/apply-event.js';
import { parseSessionizerConfig } from '../src/config.js';
import { encodeUserState } from '../src/state-codec.js';
import { createUserState } from '../src/user-state.js';
import { generateUsage, interleave } from '../src/service/generate-usage.test-support.js';
import { PartitionState } from '../src/service/partition-state.js';
import { startSessionizer } from '../src/service/sessionizer-service.js';
import {
  publishUsage,
  quietLogger,
  testCatalog,
  testTenants,
  waitForCommittedEnd,
} from '../src/service/sessionizer.test-support.js';
import { tenantConfigs } from '../src/service/tenant-configs.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const users = Number(process.env.BENCH_SERVICE_USERS ?? 2000);
const perUser = Math.min(28, Number(process.env.BENCH_SERVICE_EVENTS_PER_USER ?? 25));
const restoreUsers = Number(process.env.BENCH_RESTORE_USERS ?? 100_000);
const prefix = `bench_${randomBytes(6).toString('hex')}_`;
const partitions = 3;

const kafka = new Kafka({ clientId: 'sessionizer-bench', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const catalog = testCatalog(prefix, partitions);

const rate = (count: number, ms: number): string =>
  `${Math.round(count / (ms / 1000)).toLocaleString('en-US')}/s`;

/** A raw kafkajs consumer reading the whole topic: the ceiling the shell is compared with. */
async function rawConsumerMs(topic: string, expected: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${prefix}raw`, maxWaitTimeInMs: 100 });
  const started = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= expected) resolve();
        return Promise.resolve();
      },
    });
  });
  const ms = performance.now() - started;
  await consumer.disconnect();
  return ms;
}

/** A CPU profile of `run` into BENCH_CPU_PROFILE (a .cpuprofile file), when that is set. */
async function profiled<T>(run: () => Promise<T>): Promise<T> {
  const path = process.env.BENCH_CPU_PROFILE;
  if (path === undefined) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
  }
}

async function serviceRun(events: number): Promise<void> {
  const groupId = `${prefix}sessionizer`;
  const startedAt = performance.now();
  // NOTE: the service runs in this process, so this process's CPU time is the service's (plus the
  // offset polling below): a steadier figure than wall time on a shared machine.
  const cpuBefore = process.cpuUsage();
  const service = await profiled(async () => {
    const started = await startSessionizer({
      brokers,
      registryUrl,
      tenants: testTenants(),
      topicPrefix: prefix,
      topicPartitions: partitions,
      groupId,
      metricsPort: 0,
      ...(process.env.BENCH_COMMIT_EVERY === undefined
        ? {}
        : { commitEvery: Number(process.env.BENCH_COMMIT_EVERY) }),
      consumer: { partitionsConcurrently: Number(process.env.BENCH_CONCURRENCY ?? 1) },
      logger: quietLogger,
      kafkaLogLevel: logLevel.NOTHING,
    });
    await waitForCommittedEnd(admin, groupId, started.topics.usage, 600_000);
    return started;
  });
  const serviceMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  const rawMs = await rawConsumerMs(service.topics.usage, events);
  console.log(
    `service: ${events} events in ${Math.round(serviceMs)} ms = ${rate(events, serviceMs)}` +
      ` | raw kafkajs consumer: ${Math.round(rawMs)} ms = ${rate(events, rawMs)}` +
      ` | ratio ${(rawMs / serviceMs).toFixed(3)} (both include the group join)`,
  );
  const { topics } = service;
  const out = (topic: string): number =>
    service.shell.metrics.recordsOut.value({ group: groupId, topic });
  const perEvent = (count: number): string => (count / events).toFixed(2);
  const derived = [topics.session, topics.timeSlice, topics.activity, topics.late];
  console.log(
    `service CPU: ${Math.round((cpu.user + cpu.system) / events)} µs per event` +
      ` | records out per event: ${perEvent(derived.reduce((sum, topic) => sum + out(topic), 0))} derived` +
      ` (session ${perEvent(out(topics.session))}, time ${perEvent(out(topics.timeSlice))},` +
      ` activity ${perEvent(out(topics.activity))}), ${perEvent(out(topics.changelog))} changelog`,
  );
  const sizes = [...Array(partitions).keys()].flatMap(
    (p) => service.handler.partitionState(p)?.encodedSizes() ?? [],
  );
  const total = sizes.reduce((sum, size) => sum + size, 0);
  console.log(
    `state: ${sizes.length} active users, changelog value ${Math.round(total / Math.max(1, sizes.length))} bytes per user on average (${perUser} events each over 2 days)`,
  );
  await service.stop();
}

/** 100k users with 3 held events each, written to a 1-partition compacted topic, then restored. */
async function restoreRun(): Promise<void> {
  const topic = `${prefix}restore.state`;
  await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: 1,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
    waitForLeaders: true,
  });
  const config = parseSessionizerConfig({});
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const base = Date.parse('2026-03-02T09:00:00.000Z');
  let bytes = 0;
  for (let from = 0; from < restoreUsers; from += 5000) {
    const messages = [];
    for (let u = from; u < Math.min(restoreUsers, from + 5000); u += 1) {
      const state = createUserState('t1', `user${u}`);
      for (let n = 0; n < 3; n += 1) {
        applyEvent(
          state,
          {
            id: `u${u}-e${n}`,
            tenant: 't1',
            userId: `user${u}`,
            accountId: `acc${u % 100}`,
            ts: base + u * 7 + n * 300_000,
            module: n === 2 ? 'Billing' : 'Reports',
            product: null,
            feature: null,
            count: 1,
          },
          config,
        );
      }
      const value = encodeUserState(state);
      bytes += value.length;
      messages.push({ key: `t1/user${u}`, value });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
  const state = new PartitionState(tenantConfigs(testTenants(), { logger: quietLogger }));
  const result = await restoreChangelogPartition({
    kafka,
    admin,
    topic,
    partition: 0,
    groupIdPrefix: prefix,
    timeoutMs: 600_000,
    onRecord: (key, value) => state.restoreRecord(key, value),
  });
  state.finishRestore();
  console.log(
    `restore: ${result.records} states (${Math.round(bytes / restoreUsers)} bytes each, ${(bytes / 1e6).toFixed(1)} MB)` +
      ` in ${Math.round(result.durationMs)} ms = ${rate(result.records, result.durationMs)}; ${state.userCount} users held`,
  );
}

async function main(): Promise<void> {
  await admin.connect();
  try {
    const events = interleave(generateUsage(users, perUser, 99));
    const publishStarted = performance.now();
    await publishUsage(brokers, registryUrl, catalog, events);
    console.log(
      `published ${events.length} usage events (${users} users, ${partitions} partitions) in ${Math.round(performance.now() - publishStarted)} ms`,
    );
    await serviceRun(events.length);
    await restoreRun();
  } finally {
    const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    await deleteSubjects(registryUrl, catalog);
    await admin.disconnect();
  }
}

await main();
