import { Kafka, logLevel, type Admin, type KafkaMessage } from 'kafkajs';
import { createPublisher } from '@cs/publisher';
import {
  createCodec,
  createSchemaRegistry,
  registerSchemas,
  topicCatalog,
  validateEvent,
  type TopicCatalog,
  type ValidEvent,
} from '@cs/schemas';
import { parseTenants, type TenantDirectory } from '@cs/tenants';
import type { SessionizerOutput } from '../outputs.js';
import { dayString } from '../local-day.js';
import { PartitionState } from './partition-state.js';
import { tenantConfigs } from './tenant-configs.js';
import type { SessionizerTopics } from './sessionizer-topics.js';

/** Test support for the service's integration tests and the bench (not built). */

const debugLog =
  process.env.SESSIONIZER_TEST_LOG === undefined
    ? () => undefined
    : (message: string, fields?: unknown) =>
        process.stderr.write(`${message} ${JSON.stringify(fields ?? {})}\n`);

/** Silent, unless SESSIONIZER_TEST_LOG is set (then warnings and errors go to stderr). */
export const quietLogger = {
  debug: () => undefined,
  info: debugLog,
  warn: debugLog,
  error: debugLog,
  child: () => quietLogger,
};

export const TEST_TENANTS_JSON = JSON.stringify({
  tenants: [
    { id: 't1', timezone: 'UTC', timeoutMinutes: 30 },
    { id: 't2', timezone: 'Europe/Paris', timeoutMinutes: 30 },
  ],
});

export function testTenants(): TenantDirectory {
  return parseTenants(TEST_TENANTS_JSON, 'test-tenants.json');
}

export interface UsageInput {
  id: string;
  tenant?: string;
  userId: string;
  accountId?: string;
  ts: string | number;
  module?: string;
  feature?: string;
}

export function validUsage(input: UsageInput): ValidEvent {
  const result = validateEvent({
    type: 'usage',
    id: input.id,
    tenant: input.tenant ?? 't1',
    userId: input.userId,
    accountId: input.accountId ?? 'a1',
    ts: input.ts,
    ...(input.module === undefined ? {} : { module: input.module }),
    ...(input.feature === undefined ? {} : { feature: input.feature }),
  });
  if (!result.ok) throw new Error(`bad test event ${input.id}: ${JSON.stringify(result.errors)}`);
  return result;
}

export async function publishUsage(
  brokers: string[],
  registryUrl: string,
  catalog: TopicCatalog,
  events: readonly UsageInput[],
): Promise<void> {
  const publisher = createPublisher({ brokers, registryUrl, topics: catalog, logger: quietLogger });
  await publisher.start();
  try {
    for (let i = 0; i < events.length; i += 500) {
      await publisher.publish(events.slice(i, i + 500).map(validUsage));
    }
  } finally {
    await publisher.stop();
  }
}

export function testKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'sessionizer-it', brokers, logLevel: logLevel.NOTHING });
}

/** Every committed record of `topics` up to their last stable offsets at call time. */
export async function readCommitted(
  kafka: Kafka,
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<Map<string, KafkaMessage[]>> {
  const ends = new Map<string, bigint>();
  for (const topic of topics) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) ends.set(`${topic}:${partition}`, BigInt(high));
    }
  }
  const out = new Map<string, KafkaMessage[]>(topics.map((topic) => [topic, []]));
  if (ends.size === 0) return out;
  const consumer = kafka.consumer({
    groupId: `sessionizer-it-read-${Date.now()}-${Math.random()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topics.join(', ')} timed out`)),
        timeoutMs,
      );
      void consumer.run({
        autoCommit: false,
        eachBatch: ({ batch }) => {
          const key = `${batch.topic}:${batch.partition}`;
          const end = ends.get(key);
          if (end === undefined) return Promise.resolve();
          for (const message of batch.messages) {
            if (BigInt(message.offset) < end) out.get(batch.topic)?.push(message);
          }
          if (BigInt(batch.lastOffset()) + 1n >= end) ends.delete(key);
          if (ends.size === 0) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** What the derived topics say once every sign is summed: the figures the warehouse shows. */
export interface NettedOutput {
  /** Full session row (JSON, sign left out) → net count; zeros removed. */
  sessions: Record<string, number>;
  /** tenant|user|account|day|module|product → net ms; zeros removed. */
  time: Record<string, number>;
  /** event id → activity rows. */
  activity: Record<string, number>;
  late: number;
}

function addTo(sums: Map<string, number>, key: string, by: number): void {
  sums.set(key, (sums.get(key) ?? 0) + by);
}

/** Nonzero sums, sorted by key (a stable shape for toEqual). */
const sortedRecord = (sums: Map<string, number>): Record<string, number> =>
  Object.fromEntries(
    [...sums].filter(([, value]) => value !== 0).sort(([a], [b]) => a.localeCompare(b)),
  );

interface Sums {
  sessions: Map<string, number>;
  time: Map<string, number>;
  activity: Map<string, number>;
  late: number;
}

const newSums = (): Sums => ({
  sessions: new Map(),
  time: new Map(),
  activity: new Map(),
  late: 0,
});

export function sessionKey(row: {
  tenant: string;
  sessionId: string;
  userId: string;
  accountId: string;
  day: string;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  events: number;
  moduleTimeMs: Record<string, number>;
}): string {
  const modules = Object.entries(row.moduleTimeMs).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([
    row.tenant,
    row.userId,
    row.sessionId,
    row.accountId,
    row.day,
    row.startedAt,
    row.endedAt,
    row.durationMs,
    row.events,
    modules,
  ]);
}

const timeKey = (row: {
  tenant: string;
  userId: string;
  accountId: string;
  day: string;
  module: string;
  product: string;
}): string => [row.tenant, row.userId, row.accountId, row.day, row.module, row.product].join('|');

/** Reads the sessionizer's derived topics (read committed) and nets them. */
export async function readNetted(
  brokers: string[],
  registryUrl: string,
  catalog: TopicCatalog,
  topics: SessionizerTopics,
): Promise<NettedOutput> {
  const kafka = testKafka(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const registry = createSchemaRegistry({ host: registryUrl });
  const codec = createCodec(registry, await registerSchemas(registry, catalog));
  try {
    const read = await readCommitted(kafka, admin, [
      topics.session,
      topics.timeSlice,
      topics.activity,
      topics.late,
    ]);
    const netted = newSums();
    for (const message of read.get(topics.session) ?? []) {
      const row = await codec.decode('derived-session', message.value ?? Buffer.alloc(0));
      addTo(netted.sessions, sessionKey({ ...row, day: dayString(row.day) }), row.sign);
    }
    for (const message of read.get(topics.timeSlice) ?? []) {
      const row = await codec.decode('derived-time-slice', message.value ?? Buffer.alloc(0));
      addTo(netted.time, timeKey({ ...row, day: dayString(row.day) }), row.sign * row.ms);
    }
    for (const message of read.get(topics.activity) ?? []) {
      const row = await codec.decode('derived-enriched-usage', message.value ?? Buffer.alloc(0));
      addTo(netted.activity, row.eventId, 1);
    }
    for (const message of read.get(topics.late) ?? []) {
      await codec.decode('derived-late-event', message.value ?? Buffer.alloc(0));
      netted.late += 1;
    }
    return {
      sessions: sortedRecord(netted.sessions),
      time: sortedRecord(netted.time),
      activity: sortedRecord(netted.activity),
      late: netted.late,
    };
  } finally {
    await admin.disconnect();
  }
}

/** Nets core outputs the same way (the reference: one uninterrupted in-process run). */
export function nettedOf(outputs: readonly SessionizerOutput[]): NettedOutput {
  const netted = newSums();
  for (const output of outputs) {
    if (output.kind === 'session') addTo(netted.sessions, sessionKey(output.row), output.row.sign);
    if (output.kind === 'time')
      addTo(netted.time, timeKey(output.row), output.row.sign * output.row.ms);
    if (output.kind === 'activity') addTo(netted.activity, output.row.eventId, 1);
    if (output.kind === 'late') netted.late += 1;
  }
  return {
    sessions: sortedRecord(netted.sessions),
    time: sortedRecord(netted.time),
    activity: sortedRecord(netted.activity),
    late: netted.late,
  };
}

/** The reference run: every event through one in-process partition state, in the given order. */
export function referenceRun(events: readonly UsageInput[]): NettedOutput {
  const state = new PartitionState(tenantConfigs(testTenants(), { logger: quietLogger }));
  const outputs: SessionizerOutput[] = [];
  for (const input of events) {
    const valid = validUsage(input);
    if (valid.type !== 'usage') continue;
    const record = valid.record;
    if (!('userId' in record)) continue;
    state.apply(record, (result) => outputs.push(...result.outputs));
  }
  return nettedOf(outputs);
}

/** Waits until the group has committed every usage partition up to its end. */
export async function waitForCommittedEnd(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const done = ends.every((end) => {
      const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      // An empty partition has nothing to commit.
      return BigInt(end.high) <= BigInt(end.low) || BigInt(at) >= BigInt(end.high);
    });
    if (done) return;
    if (Date.now() > deadline) {
      throw new Error(`group ${groupId} did not commit ${topic} to its end in ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function testCatalog(prefix: string, partitions: number): TopicCatalog {
  return topicCatalog({ prefix, partitions });
}
