/**
 * Exactly once across crashes: the enricher runs as a child process (its real `main`), is
 * SIGKILLed several times at random points while account and user records and activity rows keep
 * arriving, and is restarted each time. Read committed and netted, its derived topics must equal
 * an uninterrupted run: the pure core over the same records in publish order.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng, testServices, uniqueName } from '@cs/infra/testing';
import { startEnricherProcess } from './enricher-process.test-support.js';
import { createPublisher, type Publisher } from '@cs/publisher';
import { deleteSubjects } from '@cs/publisher/testing';
import { DLQ_HEADERS, retryingKafka } from '@cs/runtime';
import {
  createCodec,
  createSchemaRegistry,
  registerSchemas,
  topicCatalog,
  validateEvent,
  type AccountRecord,
  type Codec,
  type EnrichedUsageRecord,
  type UserRecord,
} from '@cs/schemas';
import {
  applyAccountRecord,
  applyUserRecord,
  createEnricherState,
  refusedAccountRecords,
} from '../index.js';
import { enricherTopics } from './enricher-topics.js';
import { HIERARCHY_STEP } from './entity-stages.js';
import { quietLogger, TENANT } from './enricher-scenario.test-support.js';

const services = testServices();
const prefix = `${uniqueName('enr_crash')}.`;
const catalog = topicCatalog({ prefix, partitions: 3 });
const topics = enricherTopics(catalog, prefix);
const dir = mkdtempSync(join(tmpdir(), 'enricher-crash-'));
const children: ChildProcess[] = [];
let kafka: Kafka;
let admin: Admin;
let publisher: Publisher;
let producer: Producer;
let reader: Consumer | undefined;
let codec: Codec;

beforeAll(async () => {
  kafka = new Kafka({
    clientId: 'enricher-crash',
    brokers: services.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  admin = kafka.admin();
  await admin.connect();
  publisher = createPublisher({
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
    topics: catalog,
    logger: quietLogger,
  });
  await retryingKafka(() => publisher.start());
  const registry = createSchemaRegistry({ host: services.schemaRegistryUrl });
  codec = createCodec(registry, await registerSchemas(registry, catalog));
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await reader?.disconnect();
  await producer.disconnect();
  await publisher.stop();
  const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
  await deleteSubjects(services.schemaRegistryUrl, catalog);
  rmSync(dir, { recursive: true, force: true });
});

type Item =
  | { kind: 'account'; record: AccountRecord }
  | { kind: 'user'; record: UserRecord }
  | { kind: 'activity'; record: EnrichedUsageRecord };

const BASE = Date.UTC(2026, 2, 1, 8);
const MINUTE = 60_000;

/**
 * 12 accounts with 4 records each (parents moving around, so some links close cycles), 20 users
 * with 2 records each (a move), 240 activity rows; entity records published out of `ts` order
 * (shuffled), everything interleaved.
 */
function workload(): Item[] {
  const random = prng(11);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const accounts = Array.from({ length: 12 }, (_, i) => `A${i}`);
  const entities: Item[] = [];
  let n = 0;
  for (const accountId of accounts) {
    for (let r = 0; r < 4; r += 1) {
      n += 1;
      const parentId = random() < 0.2 ? null : pick(accounts);
      entities.push({
        kind: 'account',
        record: {
          id: `a${n}`,
          tenant: TENANT,
          ts: BASE + Math.floor(random() * 600) * MINUTE,
          accountId,
          name: `name-a${n}`,
          parentId,
          joinDate: null,
          renewalDate: null,
          source: null,
          attributes: {},
        },
      });
    }
  }
  const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
  for (const userId of users) {
    for (let r = 0; r < 2; r += 1) {
      n += 1;
      entities.push({
        kind: 'user',
        record: {
          id: `r${n}`,
          tenant: TENANT,
          ts: BASE + (r * 300 + Math.floor(random() * 300)) * MINUTE,
          userId,
          accountId: pick(accounts),
          email: null,
          role: `role-r${n}`,
          attributes: {},
        },
      });
    }
  }
  for (let i = entities.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [entities[i], entities[j]] = [entities[j] as Item, entities[i] as Item];
  }
  const items: Item[] = [];
  for (let i = 0; i < 240; i += 1) {
    if (i % 2 === 0 && entities.length > 0) items.push(entities.shift() as Item);
    const userId = pick(users);
    items.push({
      kind: 'activity',
      record: {
        eventId: `ev${i}`,
        tenant: TENANT,
        ts: BASE + i * MINUTE,
        day: Math.floor(BASE / 86_400_000),
        accountId: pick(accounts),
        userId,
        product: null,
        module: null,
        feature: null,
        count: 1,
        accountPath: [],
        role: null,
        properties: {},
      },
    });
  }
  items.push(...entities);
  return items;
}

async function publish(items: readonly Item[]): Promise<void> {
  const raw = items.flatMap((item) =>
    item.kind === 'activity' ? [] : [{ type: item.kind, ...item.record }],
  );
  if (raw.length > 0) {
    await publisher.publish(
      raw.map((event) => {
        const result = validateEvent(event);
        if (!result.ok) throw new Error(`test event invalid: ${JSON.stringify(result.errors)}`);
        return result;
      }),
    );
  }
  const activity = items.flatMap((item) => (item.kind === 'activity' ? [item.record] : []));
  if (activity.length > 0) {
    await producer.send({
      topic: topics.activity,
      messages: activity.map((record) => ({
        key: `${TENANT}/${record.userId}`,
        value: codec.encode('derived-enriched-usage', record),
      })),
    });
  }
}

/** Starts main.ts; resolves once it says it is consuming. */
async function startChild(env: Record<string, string>): Promise<ChildProcess> {
  const child = await startEnricherProcess(env);
  children.push(child);
  return child;
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));

/** Sum of the group's committed offsets on `topic` (-1 counted as 0). */
async function committedSum(groupId: string, topic: string): Promise<bigint> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let sum = 0n;
  for (const { offset } of committed?.partitions ?? []) {
    if (BigInt(offset) > 0n) sum += BigInt(offset);
  }
  return sum;
}

/**
 * Waits until the group commits past `after` on `topic`: the instance is really processing. A
 * restarted instance first waits out the killed member's session (10 s), then restores its
 * partitions from the changelogs; on a loaded 2-core machine that can take long.
 */
async function progressPast(groupId: string, topic: string, after: bigint): Promise<bigint> {
  const waitMs = 150_000;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const sum = await committedSum(groupId, topic);
    if (sum > after) return sum;
    if (Date.now() > deadline) throw new Error(`no progress past ${after} in ${waitMs / 1000} s`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

interface Netted {
  /** Per account key: the (ts, name) of every account-state record, in topic order. */
  accountStates: Record<string, string[]>;
  /** Per account: the parent of its last hierarchy edge (what account_hierarchy keeps). */
  parents: Record<string, string | null>;
  /** Per user: the role of its latest user-state (greatest ts, then last in topic order). */
  userRoles: Record<string, string | null>;
  /** Refused record ids, one entry per dead letter. */
  reported: string[];
  /** Per activity event: how many enriched rows, and its account / user / ts / path end. */
  enriched: Record<string, string[]>;
}

function emptyNetted(): Netted {
  return { accountStates: {}, parents: {}, userRoles: {}, reported: [], enriched: {} };
}

/** Reads every committed derived record from the start, folding it into `netted`. */
async function startReader(netted: Netted): Promise<Consumer> {
  const userTs = new Map<string, number>();
  const consumer = kafka.consumer({
    groupId: uniqueName('enr_crash_reader'),
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: [
      topics.accountState,
      topics.userState,
      topics.hierarchyEdge,
      topics.enrichedUsage,
      topics.deadLetter,
    ],
    fromBeginning: true,
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const value = message.value ?? Buffer.alloc(0);
      if (topic === topics.accountState) {
        const row = await codec.decode('derived-account-state', value);
        (netted.accountStates[row.accountId] ??= []).push(`${row.ts} ${row.name ?? ''}`);
      } else if (topic === topics.hierarchyEdge) {
        const row = await codec.decode('derived-hierarchy-edge', value);
        netted.parents[row.accountId] = row.parentId;
      } else if (topic === topics.userState) {
        const row = await codec.decode('derived-user-state', value);
        if (row.ts >= (userTs.get(row.userId) ?? -Infinity)) {
          userTs.set(row.userId, row.ts);
          netted.userRoles[row.userId] = row.role;
        }
      } else if (topic === topics.enrichedUsage) {
        const row = await codec.decode('derived-enriched-usage', value);
        (netted.enriched[row.eventId] ??= []).push(
          `${row.accountId} ${row.userId} ${row.ts} ${row.accountPath.at(-1) ?? ''}`,
        );
      } else {
        const step = message.headers?.[DLQ_HEADERS.step]?.toString();
        if (step === HIERARCHY_STEP) {
          netted.reported.push((await codec.decode('account', value)).id);
        }
      }
    },
  });
  return consumer;
}

/** The uninterrupted run: the pure core over the records in publish order. */
function expected(items: readonly Item[]): {
  netted: Omit<Netted, 'reported'>;
  refused: string[];
} {
  const state = createEnricherState();
  const netted = emptyNetted();
  for (const item of items) {
    if (item.kind === 'account') {
      const { outcome } = applyAccountRecord(state, item.record);
      if (outcome === 'applied') {
        (netted.accountStates[item.record.accountId] ??= []).push(
          `${item.record.ts} ${item.record.name ?? ''}`,
        );
      }
    } else if (item.kind === 'user') {
      applyUserRecord(state, item.record);
    } else {
      const r = item.record;
      netted.enriched[r.eventId] = [`${r.accountId} ${r.userId} ${r.ts} ${r.accountId}`];
    }
  }
  const tables = state.tenants.get(TENANT);
  for (const [accountId, entry] of tables?.accounts ?? [])
    netted.parents[accountId] = entry.parentId;
  for (const [userId, record] of tables?.users ?? []) netted.userRoles[userId] = record.role;
  const { reported: _, ...rest } = netted;
  return { netted: rest, refused: refusedAccountRecords(state, TENANT).map((r) => r.id) };
}

describe('enricher service under SIGKILL', () => {
  it('killed several times while records flow and restarted: the committed derived topics net to one uninterrupted run', async () => {
    const groupId = uniqueName('enr_crash_group');
    const tenantsFile = join(dir, 'tenants.json');
    writeFileSync(tenantsFile, JSON.stringify({ tenants: [{ id: TENANT, timezone: 'UTC' }] }));
    const env = {
      KAFKA_BROKERS: services.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: services.schemaRegistryUrl,
      CS_TENANTS_FILE: tenantsFile,
      CS_TOPIC_PREFIX: prefix,
      CS_TOPIC_PARTITIONS: '3',
      CS_ENRICHER_GROUP_ID: groupId,
      CS_ENRICHER_METRICS_PORT: '0',
      CS_ENRICHER_COMMIT_EVERY: '5',
      CS_ENRICHER_SESSION_TIMEOUT_MS: '10000',
    };
    const items = workload();
    const chunks = 10;
    const chunkSize = Math.ceil(items.length / chunks);

    // The first instance creates the activity and internal topics; then the reader follows.
    let child = await startChild(env);
    const netted = emptyNetted();
    reader = await startReader(netted);
    await publish(items.slice(0, chunkSize));
    const publishing = (async () => {
      for (let chunk = 1; chunk < chunks; chunk += 1) {
        await new Promise((resolveWait) => setTimeout(resolveWait, 1_500));
        await publish(items.slice(chunk * chunkSize, (chunk + 1) * chunkSize));
      }
    })();

    const random = prng(7);
    const kills = 3;
    let committed = 0n;
    const killedAt: bigint[] = [];
    for (let kill = 0; kill < kills; kill += 1) {
      if (kill > 0) child = await startChild(env);
      // Killed only once it has committed something new, then at a random instant.
      committed = await progressPast(groupId, topics.activity, committed);
      await new Promise((resolveWait) => setTimeout(resolveWait, random() * 500));
      child.kill('SIGKILL');
      await exited(child);
      killedAt.push(await committedSum(groupId, topics.activity));
    }
    await publishing;
    const last = await startChild(env);

    const want = expected(items);
    const activityCount = items.filter((item) => item.kind === 'activity').length;
    // Every kill interrupted a stream that still had work ahead of it.
    expect(killedAt.every((at) => at < BigInt(activityCount))).toBe(true);

    // Read committed, the outputs reach the uninterrupted run's and stay there.
    const netView = () => {
      const { reported: _, ...rest } = netted;
      return rest;
    };
    const deadline = Date.now() + 240_000;
    while (JSON.stringify(sorted(netView())) !== JSON.stringify(sorted(want.netted))) {
      if (Date.now() > deadline) break;
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 3_000));
    last.kill('SIGTERM');
    expect(await exited(last)).toBe(0);

    expect(netView().accountStates).toEqual(want.netted.accountStates);
    expect(netView().parents).toEqual(want.netted.parents);
    expect(netView().userRoles).toEqual(want.netted.userRoles);
    expect(netView().enriched).toEqual(want.netted.enriched);
    // Refusals: each record reported once (no duplicate dead letter across the crashes), and every
    // record the final hierarchy refuses among them.
    expect(want.refused.length).toBeGreaterThan(0);
    expect(new Set(netted.reported).size).toBe(netted.reported.length);
    expect(netted.reported).toEqual(expect.arrayContaining(want.refused));
  }, 600_000);
});

/** A JSON-stable copy with object keys sorted (the comparison above must not depend on order). */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, inner]) => [key, sorted(inner)]),
    );
  }
  return value;
}
