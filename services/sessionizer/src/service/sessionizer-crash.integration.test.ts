import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { generateUsage, interleave, prng } from './generate-usage.test-support.js';
import {
  publishUsage,
  readNetted,
  referenceRun,
  TEST_TENANTS_JSON,
  testCatalog,
  testKafka,
  waitForCommittedEnd,
} from './sessionizer.test-support.js';
import { sessionizerTopics } from './sessionizer-topics.js';

// The real service as a child process (main.ts), SIGKILLed at random points while events keep
// arriving, restarted each time: read committed and netted, the derived topics must equal one
// uninterrupted run.
const services = testServices();
const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const mainPath = join(repoRoot, 'services/sessionizer/src/service/main.ts');
let kafka: Kafka;
let admin: Admin;
let tempDir = '';
const prefix = `${uniqueName('crash')}_`;
const children: ChildProcess[] = [];

beforeAll(async () => {
  kafka = testKafka(services.kafkaBrokers);
  admin = kafka.admin();
  await admin.connect();
  tempDir = mkdtempSync(join(tmpdir(), 'sessionizer-crash-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
  rmSync(tempDir, { recursive: true, force: true });
});

/** Starts main.ts; resolves once it says it is consuming. */
function startChild(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=@cs/source', '--import', 'tsx', mainPath], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  return new Promise((resolveStarted, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('sessionizer consuming')) resolveStarted(child);
    });
    child.once('exit', (code) => reject(new Error(`sessionizer exited (${code}): ${stderr}`)));
  });
}

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
 * Waits until the group commits past `after`: the instance is really processing. NOTE: a restarted
 * instance first waits out the killed member's session, then restores its partitions from the
 * changelog through a throwaway group; on a loaded 2-core CI machine (two test files at once) that
 * took over 60 s once, so the wait is generous.
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

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));

describe('sessionizer service under SIGKILL', () => {
  it('killed mid-batch several times and restarted: the committed derived topics net to one uninterrupted run', async () => {
    const partitions = 2;
    const catalog = testCatalog(prefix, partitions);
    const topics = sessionizerTopics(catalog, prefix);
    const groupId = uniqueName('crash_group');
    const tenantsFile = join(tempDir, 'tenants.json');
    writeFileSync(tenantsFile, TEST_TENANTS_JSON);
    const env = {
      KAFKA_BROKERS: services.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: services.schemaRegistryUrl,
      CS_TENANTS_FILE: tenantsFile,
      CS_TOPIC_PREFIX: prefix,
      CS_TOPIC_PARTITIONS: String(partitions),
      CS_SESSIONIZER_GROUP_ID: groupId,
      CS_SESSIONIZER_METRICS_PORT: '0',
      CS_SESSIONIZER_COMMIT_EVERY: '7',
      // Most of the 16 users held encoded (cold) after each unit, so crashes hit that path too.
      CS_SESSIONIZER_HOT_USERS: '2',
      // A restarted instance waits out the killed member's session: keep it short. (A restore,
      // however long, no longer costs the membership: the shell heartbeats while it runs.)
      CS_SESSIONIZER_SESSION_TIMEOUT_MS: '6000',
    };
    const events = interleave(generateUsage(16, 28, 41));
    const chunks = 12;
    const chunkSize = Math.ceil(events.length / chunks);
    // The first chunk before any instance runs, so the topics exist; the rest while they crash.
    await publishUsage(
      services.kafkaBrokers,
      services.schemaRegistryUrl,
      catalog,
      events.slice(0, chunkSize),
    );
    let published = 1;
    const publishing = (async () => {
      for (; published < chunks; published += 1) {
        await new Promise((resolveWait) => setTimeout(resolveWait, 700));
        const slice = events.slice(published * chunkSize, (published + 1) * chunkSize);
        await publishUsage(services.kafkaBrokers, services.schemaRegistryUrl, catalog, slice);
      }
    })();

    const random = prng(5);
    const kills = 4;
    let committed = 0n;
    const killedAt: bigint[] = [];
    for (let kill = 0; kill < kills; kill += 1) {
      const child = await startChild(env);
      // Killed only once it has committed something new (a restarted instance first waits for
      // the dead one's session to time out), then at a random instant: mid-transaction mostly.
      committed = await progressPast(groupId, topics.usage, committed);
      await new Promise((resolveWait) => setTimeout(resolveWait, random() * 400));
      child.kill('SIGKILL');
      await exited(child);
      killedAt.push(await committedSum(groupId, topics.usage));
    }
    await publishing;
    const last = await startChild(env);
    await waitForCommittedEnd(admin, groupId, topics.usage, 90_000);
    last.kill('SIGTERM');
    expect(await exited(last)).toBe(0);

    const netted = await readNetted(
      services.kafkaBrokers,
      services.schemaRegistryUrl,
      catalog,
      topics,
    );
    // Every kill interrupted a stream that still had work ahead of it.
    expect(killedAt.every((at) => at < BigInt(events.length))).toBe(true);
    expect(netted.late).toBe(0);
    expect(netted).toEqual(referenceRun(events));
  }, 600_000);
});
