/**
 * The enricher service's memory and CPU against real Kafka, at the size of the targets (issue #6:
 * "each service ≤ 512 MB RSS for 1 million events over 100k users"):
 *
 *   npm run bench -w @cs/enricher     (core bench, then this one)
 *
 * Publishes, before the service starts, the raw account and user records of BENCH_USERS users
 * over two tenants (BENCH_ACCOUNTS accounts per tenant, some with a parent; ~5% of users and
 * accounts with a second record, like `cs generate`) and BENCH_EVENTS_PER_USER activity rows per
 * user on the activity topic (what the sessionizer would write: one per distinct usage event);
 * then runs the real `main.ts` as a child process (so its RSS is its own), lets it consume
 * everything (the five inputs at once, like a catch-up) and reads, from /proc:
 *  - VmHWM, the kernel's peak RSS, and RSS once idle at start and at the end;
 *  - the child's CPU time (user + system) per event (steadier than rates on a shared machine).
 *
 * The child gets this process's environment, so CS_ENRICHER_HEAP_GROWING_PERCENT=0 runs it with
 * V8's own heap growing.
 *
 * Env: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, BENCH_USERS (100000), BENCH_ACCOUNTS (200),
 * BENCH_EVENTS_PER_USER (11), BENCH_NODE_ARGS (extra node flags for the child, e.g.
 * `--max-semi-space-size=...`), BENCH_HEAP_SNAPSHOT (a directory: the child writes a heap snapshot
 * there at the end, `--heapsnapshot-signal`), BENCH_CHILD_LOG (a file: the child's stdout and
 * stderr, e.g. with BENCH_NODE_ARGS=--trace-gc). Prints figures; asserts nothing. Topics get a unique
 * prefix and are deleted.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createPublisher } from '@cs/publisher';
import { deleteSubjects } from '@cs/publisher/testing';
import { prng, processCpuSeconds, processMemory } from '@cs/infra/testing';
import { createLogger, retryingKafka } from '@cs/runtime';
import {
  createCodec,
  createSchemaRegistry,
  registerSchemas,
  topicCatalog,
  validateEvent,
  type EnrichedUsageRecord,
  type ValidEvent,
} from '@cs/schemas';
import { enricherTopics } from '../src/service/enricher-topics.js';
import { startEnricherProcess } from '../src/service/enricher-process.test-support.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const users = Number(process.env.BENCH_USERS ?? 100_000);
const accountsPerTenant = Number(process.env.BENCH_ACCOUNTS ?? 200);
const perUser = Number(process.env.BENCH_EVENTS_PER_USER ?? 11);
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT;
const TENANTS = ['bench1', 'bench2'];
const partitions = 3;
const prefix = `bench_${randomBytes(6).toString('hex')}.`;
const groupId = `${prefix}enricher`;
const quietLogger = createLogger({ component: 'enricher-bench', write: () => undefined });

const kafka = new Kafka({ clientId: 'enricher-bench', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const catalog = topicCatalog({ prefix, partitions });
const topics = enricherTopics(catalog, prefix);

const BASE = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const ROLES = ['viewer', 'editor', 'admin', 'owner'];
const TITLES = ['engineer', 'manager', 'analyst', 'designer', 'sales'];
const MB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

interface Workload {
  entities: ValidEvent[];
  userAccount: (tenant: number, user: number) => string;
}

/** The raw account and user records, shaped like `cs generate`'s. */
function entities(random: () => number): Workload {
  const events: unknown[] = [];
  let n = 0;
  const perTenant = Math.ceil(users / TENANTS.length);
  const accountOf = (user: number): string => `acc-${(user * 7919) % accountsPerTenant}`;
  for (const [t, tenant] of TENANTS.entries()) {
    for (let a = 0; a < accountsPerTenant; a += 1) {
      const records = random() < 0.05 ? 2 : 1;
      for (let r = 0; r < records; r += 1) {
        n += 1;
        events.push({
          type: 'account',
          id: `a-${n.toString(36)}`,
          tenant,
          ts: BASE + a * 1000 + r * 3_600_000,
          accountId: `acc-${a}`,
          name: `Account ${t}-${a}`,
          parentId: a >= 10 && random() < 0.3 ? `acc-${Math.floor(random() * 10)}` : null,
          joinDate: '2025-03-07',
          renewalDate: '2026-02-01',
          source: 'sales',
          attributes: { segment: 'smb', region: 'emea' },
        });
      }
    }
    for (let u = 0; u < perTenant; u += 1) {
      const records = random() < 0.05 ? 2 : 1;
      for (let r = 0; r < records; r += 1) {
        n += 1;
        const accountId = accountOf(u + r);
        events.push({
          type: 'user',
          id: `p-${n.toString(36)}`,
          tenant,
          ts: BASE + 6 * 3_600_000 + u * 37 + r * DAY,
          userId: `usr-${u}`,
          accountId,
          email: `usr-${u}@${accountId}.example.com`,
          role: ROLES[Math.floor(random() * ROLES.length)] ?? null,
          attributes: { title: TITLES[Math.floor(random() * TITLES.length)] ?? 'engineer' },
        });
      }
    }
  }
  return {
    entities: events.map((event) => {
      const result = validateEvent(event);
      if (!result.ok) throw new Error(`bench event invalid: ${JSON.stringify(result.errors)}`);
      return result;
    }),
    userAccount: (_tenant, user) => accountOf(user),
  };
}

async function publishAll(): Promise<{ entityCount: number; activityCount: number }> {
  const random = prng(1);
  const workload = entities(random);
  const publisher = createPublisher({
    brokers,
    registryUrl,
    topics: catalog,
    logger: quietLogger,
  });
  await retryingKafka(() => publisher.start());
  for (let i = 0; i < workload.entities.length; i += 5000) {
    await publisher.publish(workload.entities.slice(i, i + 5000));
  }
  await publisher.stop();
  const registry = createSchemaRegistry({ host: registryUrl });
  const codec = createCodec(registry, await registerSchemas(registry, catalog));
  // The activity topic is the enricher's to create; created here like it does, so it can be filled.
  await admin.createTopics({
    topics: [{ topic: topics.activity, numPartitions: partitions }],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  const perTenant = Math.ceil(users / TENANTS.length);
  const features = ['import_contacts', 'export', 'search', 'dashboard', 'report'];
  let count = 0;
  let messages: { key: string; value: Buffer }[] = [];
  const flush = async (): Promise<void> => {
    if (messages.length === 0) return;
    await producer.send({ topic: topics.activity, acks: -1, messages });
    messages = [];
  };
  // Events in time order over two days, users interleaved, as the sessionizer emits them.
  for (let e = 0; e < perUser; e += 1) {
    for (let u = 0; u < perTenant; u += 1) {
      for (const [t, tenant] of TENANTS.entries()) {
        count += 1;
        const ts =
          BASE +
          7 * 3_600_000 +
          Math.floor(((e * perTenant + u) / (perUser * perTenant)) * 2 * DAY);
        const record: EnrichedUsageRecord = {
          eventId: `u-${count.toString(36)}`,
          tenant,
          ts,
          day: Math.floor(ts / DAY),
          accountId: workload.userAccount(t, u),
          userId: `usr-${u}`,
          product: 'crm',
          module: 'contacts',
          feature: features[Math.floor(random() * features.length)] ?? null,
          count: 1 + Math.floor(random() * 3),
          accountPath: [],
          role: null,
          properties: {},
        };
        messages.push({
          key: `${tenant}/${record.userId}`,
          value: codec.encode('derived-enriched-usage', record),
        });
        if (messages.length >= 5000) await flush();
      }
    }
  }
  await flush();
  await producer.disconnect();
  return { entityCount: workload.entities.length, activityCount: count };
}

function startChild(tenantsFile: string): Promise<ChildProcess> {
  return startEnricherProcess(
    {
      KAFKA_BROKERS: brokers.join(','),
      SCHEMA_REGISTRY_URL: registryUrl,
      CS_TENANTS_FILE: tenantsFile,
      CS_TOPIC_PREFIX: prefix,
      CS_TOPIC_PARTITIONS: String(partitions),
      CS_ENRICHER_GROUP_ID: groupId,
      CS_ENRICHER_METRICS_PORT: '0',
    },
    {
      nodeArgs: [
        ...nodeArgs,
        ...(snapshotDir === undefined
          ? []
          : ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`]),
      ],
      ...(process.env.BENCH_CHILD_LOG === undefined
        ? {}
        : { logFile: process.env.BENCH_CHILD_LOG }),
    },
  );
}

/** Whether the group has committed every partition of `topic` to its end. */
async function committedToEnd(admin: Admin, topic: string): Promise<boolean> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return ends.every((end) => {
    const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
    return BigInt(end.high) <= BigInt(end.low) || BigInt(at) >= BigInt(end.high);
  });
}

async function main(): Promise<void> {
  await admin.connect();
  const dir = mkdtempSync(join(tmpdir(), 'enricher-bench-'));
  let child: ChildProcess | undefined;
  try {
    const published = performance.now();
    const { entityCount, activityCount } = await publishAll();
    const events = entityCount + activityCount;
    console.log(
      `published ${entityCount} account and user records and ${activityCount} activity rows` +
        ` (${users} users, ${TENANTS.length} tenants) in ${Math.round(performance.now() - published)} ms`,
    );
    const tenantsFile = join(dir, 'tenants.json');
    writeFileSync(
      tenantsFile,
      JSON.stringify({ tenants: TENANTS.map((id) => ({ id, timezone: 'UTC' })) }),
    );
    const started = performance.now();
    child = await startChild(tenantsFile);
    const pid = child.pid ?? 0;
    const idle = processMemory(pid);
    const cpuAtStart = processCpuSeconds(pid) ?? NaN;
    let maxRss = 0;
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, processMemory(pid)?.rss ?? 0);
    }, 200);
    const inputs = [
      topics.account,
      topics.user,
      topics.accountsByTenant,
      topics.usersByUser,
      topics.activity,
    ];
    const deadline = Date.now() + 1_800_000;
    for (;;) {
      const done = await Promise.all(inputs.map((topic) => committedToEnd(admin, topic)));
      if (done.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('the enricher did not catch up in 30 minutes');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const cpu = (processCpuSeconds(pid) ?? NaN) - cpuAtStart;
    const end = processMemory(pid);
    const hwm = end?.hwm ?? 0;
    console.log(
      `enricher: ${events} records in ${seconds.toFixed(1)} s = ${Math.round(events / seconds)}/s` +
        ` | CPU ${cpu.toFixed(1)} s = ${Math.round((cpu * 1e6) / events)} µs per record`,
    );
    console.log(
      `enricher RSS: peak (VmHWM) ${MB(hwm)}, idle at start ${MB(idle?.rss ?? 0)}, at the end ${MB(end?.rss ?? 0)}` +
        ` | (peak − idle) per user ${Math.round((hwm - (idle?.rss ?? 0)) / users)} bytes` +
        (nodeArgs.length > 0 ? ` | node ${nodeArgs.join(' ')}` : ''),
    );
    if (snapshotDir !== undefined) {
      const before = new Set(readdirSync(snapshotDir));
      child.kill('SIGUSR2');
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const written = readdirSync(snapshotDir).filter(
          (name) => !before.has(name) && name.endsWith('.heapsnapshot'),
        );
        const size =
          written.length === 0 ? 0 : readFileSync(join(snapshotDir, written[0] ?? '')).length;
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const again =
          written.length === 0 ? -1 : readFileSync(join(snapshotDir, written[0] ?? '')).length;
        if (size > 0 && size === again) {
          console.log(`heap snapshot: ${join(snapshotDir, written[0] ?? '')}`);
          break;
        }
      }
    }
  } finally {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    await deleteSubjects(registryUrl, catalog);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
