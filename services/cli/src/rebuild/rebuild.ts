// `cs rebuild`: replays the raw topics through a new pipeline generation into fresh tables, then
// swaps those in for the live ones (docs/architecture.md, "Rebuild"). Every step is named, so a
// failure says where it happened; nothing live changes before the swap.
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { migrate } from '@cs/migrate';
import { CsError, createLogger, errorMessage, retryingKafka } from '@cs/runtime';
import {
  createSchemaRegistry,
  ensureTopics,
  readGeneration,
  registerSchemas,
  topicCatalogFromEnv,
  writeGeneration,
} from '@cs/schemas';
import { pipelineLag, type LagSnapshot } from '../status/quiescence.js';
import {
  REPLAYED_SERVICES,
  groupsOf,
  topicsOfGeneration,
  type RebuildEnv,
  type RebuildOptions,
  type ReplayedServiceName,
} from './rebuild-options.js';
import {
  REPO_ROOT,
  checkAlive,
  startReplayProcess,
  stopReplayProcess,
  type ReplayProcess,
} from './replay-services.js';
import { checkSwappable, dropDatabases, exchangeBack, exchangeTables } from './warehouse-swap.js';

export interface RebuildReport {
  previousGeneration: number;
  generation: number;
  /** Raw records the replay had to reach (the raw topics' ends when it started). */
  rawRecords: bigint;
  tables: string[];
  elapsedMs: number;
  /** Clean-up after the swap that failed (the rebuild itself succeeded). */
  warnings: string[];
}

export interface RebuildContext {
  options: RebuildOptions;
  env: RebuildEnv;
  /** The whole environment, passed on to the replaying services (tenants file, partitions, …). */
  processEnv: Record<string, string | undefined>;
  say: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A failed step: which one, and whether anything live had changed. */
export class RebuildFailed extends CsError<'REBUILD_FAILED'> {
  constructor(
    readonly step: string,
    cause: unknown,
    detail: string,
  ) {
    super('REBUILD_FAILED', `step '${step}' failed: ${errorMessage(cause)}\n${detail}`, { cause });
    this.name = 'RebuildFailed';
  }
}

const isRaw = (topic: string): boolean => /cs\.raw\.[a-z]+$/.test(topic);

type RawEnds = Map<string, bigint>;
const tp = (topic: string, partition: number): string => `${topic}[${String(partition)}]`;

async function rawEndOffsets(admin: Admin, topics: readonly string[]): Promise<RawEnds> {
  const ends: RawEnds = new Map();
  for (const topic of topics) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
      ends.set(tp(topic, partition), BigInt(high));
    }
  }
  return ends;
}

/** The groups of `names` that have members, as `group (n members)`. */
async function busyGroups(admin: Admin, names: readonly string[]): Promise<string[]> {
  const { groups } = await admin.describeGroups([...names]);
  return groups
    .filter((group) => group.members.length > 0)
    .map(
      (group) =>
        `${group.groupId} (${String(group.members.length)} member${group.members.length === 1 ? '' : 's'})`,
    );
}

/** Progress of each replaying group: raw records reached, and records pending downstream. */
export interface ReplayProgress {
  group: string;
  rawDone: bigint;
  rawTarget: bigint;
  pending: bigint;
}

export function replayProgress(snapshot: LagSnapshot, rawEnds: RawEnds): ReplayProgress[] {
  const byGroup = new Map<string, ReplayProgress>();
  for (const row of snapshot.rows) {
    const entry = byGroup.get(row.group) ?? {
      group: row.group,
      rawDone: 0n,
      rawTarget: 0n,
      pending: 0n,
    };
    if (isRaw(row.topic)) {
      const target = rawEnds.get(tp(row.topic, row.partition)) ?? 0n;
      const committed = row.committed ?? 0n;
      entry.rawTarget += target;
      entry.rawDone += committed < target ? committed : target;
    } else {
      entry.pending += row.lag;
    }
    byGroup.set(row.group, entry);
  }
  return [...byGroup.values()];
}

/**
 * Done when every group is known, every processor has committed at least the raw ends seen at the
 * start, and nothing derived is pending.
 */
export function replayCaughtUp(snapshot: LagSnapshot, rawEnds: RawEnds): boolean {
  if (snapshot.unknownGroups.length > 0) return false;
  return replayProgress(snapshot, rawEnds).every(
    (entry) => entry.rawDone >= entry.rawTarget && entry.pending === 0n,
  );
}

const derivedEnds = (snapshot: LagSnapshot): string =>
  snapshot.rows
    .filter((row) => !isRaw(row.topic))
    .map((row) => `${row.group}|${row.topic}|${String(row.partition)}|${String(row.end)}`)
    .join(',');

function formatProgress(progress: readonly ReplayProgress[], unknown: readonly string[]): string {
  const parts = progress.map((entry) => {
    const raw =
      entry.rawTarget > 0n ? `raw ${String(entry.rawDone)}/${String(entry.rawTarget)}` : '';
    const pending = `lag ${String(entry.pending)}`;
    return `${entry.group}: ${[raw, pending].filter(Boolean).join(', ')}`;
  });
  for (const group of unknown) parts.push(`${group}: starting`);
  return `replay: ${parts.join('; ')}`;
}

/** The highest generation any topic of the prefix carries (leftovers of failed rebuilds too). */
function highestGenerationSeen(topics: readonly string[], prefix: string): number {
  let highest = 0;
  for (const topic of topics) {
    if (!topic.startsWith(`${prefix}cs.`)) continue;
    const match = /\.g(\d+)$/.exec(topic);
    if (match !== null) highest = Math.max(highest, Number(match[1]));
  }
  return highest;
}

async function deleteGroupsIfPresent(admin: Admin, names: readonly string[]): Promise<void> {
  const existing = new Set((await admin.listGroups()).groups.map((group) => group.groupId));
  const present = names.filter((name) => existing.has(name));
  if (present.length > 0) await admin.deleteGroups(present);
}

/** Deletes one generation's topics and consumer groups (its services must be stopped). */
async function discardGeneration(
  admin: Admin,
  env: RebuildEnv,
  generation: number,
): Promise<string[]> {
  const topics = topicsOfGeneration(await admin.listTopics(), env.CS_TOPIC_PREFIX, generation);
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await deleteGroupsIfPresent(admin, Object.values(groupsOf(env, generation)));
  return topics;
}

export async function rebuild(context: RebuildContext): Promise<RebuildReport> {
  const { options, env, say } = context;
  const now = context.now ?? (() => Date.now());
  const sleep =
    context.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  const liveFacts = `${options.database}_facts`;
  const scratchFacts = `${options.scratchDatabase}_facts`;
  const kafka = new Kafka({
    clientId: 'cs-rebuild',
    brokers: env.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const clickhouse: ClickHouseClient = createClient({
    url: env.CLICKHOUSE_URL,
    username: env.CLICKHOUSE_USER,
    password: env.CLICKHOUSE_PASSWORD,
    log: { level: ClickHouseLogLevel.OFF },
  });
  const processes: ReplayProcess[] = [];
  let swapped = false;
  let step = 'connect';
  const run = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    step = name;
    return work();
  };

  let current = 0;
  let next = 0;
  try {
    await admin.connect();
    current = await run('read-generation', () => readGeneration(kafka, env.CS_TOPIC_PREFIX));
    const currentGroups = groupsOf(env, current);

    await run('check-services-stopped', async () => {
      const busy = await busyGroups(admin, Object.values(currentGroups));
      if (busy.length > 0) {
        throw new CsError(
          'REBUILD_SERVICES_RUNNING',
          `stop the services first (Ctrl-C npm start): consumer groups with members: ${busy.join(', ')}`,
        );
      }
    });

    const topicsBefore = await admin.listTopics();
    next = Math.max(current, highestGenerationSeen(topicsBefore, env.CS_TOPIC_PREFIX)) + 1;
    const nextGroups = groupsOf(env, next);
    say(
      `rebuild: generation ${String(current)} → ${String(next)} (prefix '${env.CS_TOPIC_PREFIX}')`,
    );

    await run('discard-leftovers', async () => {
      for (let generation = current + 1; generation < next; generation += 1) {
        const removed = await discardGeneration(admin, env, generation);
        if (removed.length > 0)
          say(`rebuild: removed leftovers of generation ${String(generation)}`);
      }
      await dropDatabases(clickhouse, [options.scratchDatabase, scratchFacts]);
    });

    const catalog = topicCatalogFromEnv({
      ...context.processEnv,
      CS_PIPELINE_GENERATION: String(next),
    });
    const rawTopics = Object.values(catalog.raw).map((topic) => topic.name);
    const rawEnds = await run('read-raw-ends', async () => {
      const missing = rawTopics.filter((topic) => !topicsBefore.includes(topic));
      if (missing.length > 0) {
        throw new CsError('REBUILD_NO_RAW_TOPICS', `raw topics missing: ${missing.join(', ')}`);
      }
      return rawEndOffsets(admin, rawTopics);
    });
    const rawRecords = [...rawEnds.values()].reduce((sum, end) => sum + end, 0n);
    say(`rebuild: replaying ${String(rawRecords)} raw records into ${scratchFacts}`);

    const tables = await run('migrate-fresh-tables', async () => {
      await migrate({
        url: env.CLICKHOUSE_URL,
        database: options.scratchDatabase,
        username: env.CLICKHOUSE_USER,
        password: env.CLICKHOUSE_PASSWORD,
        log: createLogger({ component: 'cs-rebuild', write: () => undefined }),
      });
      return checkSwappable(clickhouse, liveFacts, scratchFacts);
    });

    await run('create-topics', async () => {
      await retryingKafka(() => ensureTopics(admin, catalog));
      await registerSchemas(createSchemaRegistry({ host: env.SCHEMA_REGISTRY_URL }), catalog);
    });

    await run('replay', async () => {
      const logDir = join(REPO_ROOT, '.infra', 'rebuild', `${String(started)}-g${String(next)}`);
      const serviceEnv: Record<string, string> = {};
      for (const [key, value] of Object.entries(context.processEnv)) {
        if (value !== undefined) serviceEnv[key] = value;
      }
      Object.assign(serviceEnv, {
        KAFKA_BROKERS: env.KAFKA_BROKERS.join(','),
        SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
        CLICKHOUSE_URL: env.CLICKHOUSE_URL,
        CLICKHOUSE_USER: env.CLICKHOUSE_USER,
        CLICKHOUSE_PASSWORD: env.CLICKHOUSE_PASSWORD,
        CS_TOPIC_PREFIX: env.CS_TOPIC_PREFIX,
        CS_PIPELINE_GENERATION: String(next),
        CS_FACTS_DATABASE: scratchFacts,
        LOG_LEVEL: context.processEnv.LOG_LEVEL ?? 'warn',
      });
      for (const service of REPLAYED_SERVICES) {
        serviceEnv[service.groupEnv] = nextGroups[service.name];
      }
      for (const service of REPLAYED_SERVICES) {
        processes.push(startReplayProcess(service.name, serviceEnv, logDir));
      }
      say(`rebuild: services of generation ${String(next)} started (logs in ${logDir})`);
      const order = REPLAYED_SERVICES.map((service) => nextGroups[service.name]);
      const deadline = now() + options.timeoutMs;
      let lastSaid = 0;
      let streak = 0;
      let previousEnds = '';
      for (;;) {
        checkAlive(processes);
        const snapshot = await pipelineLag(admin, order);
        const ends = derivedEnds(snapshot);
        streak =
          replayCaughtUp(snapshot, rawEnds) && (streak === 0 || ends === previousEnds)
            ? streak + 1
            : 0;
        previousEnds = ends;
        if (streak >= 2) {
          say(formatProgress(replayProgress(snapshot, rawEnds), snapshot.unknownGroups));
          return;
        }
        if (now() - lastSaid >= options.progressMs) {
          say(formatProgress(replayProgress(snapshot, rawEnds), snapshot.unknownGroups));
          lastSaid = now();
        }
        if (now() >= deadline) {
          throw new CsError(
            'REBUILD_TIMEOUT',
            `the replay did not catch up within ${String(Math.round(options.timeoutMs / 1000))} s ` +
              `(${formatProgress(replayProgress(snapshot, rawEnds), snapshot.unknownGroups)}); ` +
              'raise --timeout',
          );
        }
        await sleep(1000);
      }
    });

    await run('stop-replay', async () => {
      await Promise.all(processes.map((process) => stopReplayProcess(process)));
      checkExitedCleanly(processes);
    });

    await run('recheck-services-stopped', async () => {
      // Nobody may have started the old generation while the replay ran.
      const busy = await busyGroups(admin, Object.values(currentGroups));
      if (busy.length > 0) {
        throw new CsError(
          'REBUILD_SERVICES_RUNNING',
          `services started during the rebuild: consumer groups with members: ${busy.join(', ')}`,
        );
      }
    });

    await run('swap-tables', () => exchangeTables(clickhouse, liveFacts, scratchFacts, tables));
    swapped = true;
    say(`rebuild: swapped ${String(tables.length)} tables of ${liveFacts}`);

    await run('record-generation', async () => {
      try {
        await writeGeneration(kafka, env.CS_TOPIC_PREFIX, next);
      } catch (error: unknown) {
        await exchangeBack(clickhouse, liveFacts, scratchFacts, tables);
        swapped = false;
        throw new CsError(
          'REBUILD_GENERATION_NOT_RECORDED',
          `${errorMessage(error)}; the tables were exchanged back`,
          { cause: error },
        );
      }
    });
    say(`rebuild: generation ${String(next)} is current`);

    const warnings: string[] = [];
    try {
      await dropDatabases(clickhouse, [options.scratchDatabase, scratchFacts]);
      const removed = await discardGeneration(admin, env, current);
      say(
        `rebuild: dropped the old tables, ${String(removed.length)} topics and the groups of generation ${String(current)}`,
      );
    } catch (error: unknown) {
      warnings.push(`cleaning up generation ${String(current)} failed: ${errorMessage(error)}`);
    }
    return {
      previousGeneration: current,
      generation: next,
      rawRecords,
      tables,
      elapsedMs: now() - started,
      warnings,
    };
  } catch (error: unknown) {
    await Promise.all(processes.map((process) => stopReplayProcess(process)));
    const detail = swapped
      ? 'the live tables were already swapped: check the warehouse'
      : await discardAttempt(admin, clickhouse, env, options, next, current);
    throw new RebuildFailed(step, error, detail);
  } finally {
    await admin.disconnect();
    await clickhouse.close();
  }
}

function checkExitedCleanly(processes: readonly ReplayProcess[]): void {
  for (const { name, child, logFile } of processes) {
    if (child.exitCode !== 0) {
      throw new CsError(
        'REBUILD_SERVICE_DIED',
        `the replaying ${name} did not stop cleanly (${child.exitCode === null ? String(child.signalCode) : `code ${String(child.exitCode)}`}); see ${logFile}`,
      );
    }
  }
}

/** After a failure before the swap: removes what the attempt made; says what is left if that fails. */
async function discardAttempt(
  admin: Admin,
  clickhouse: ClickHouseClient,
  env: RebuildEnv,
  options: RebuildOptions,
  next: number,
  current: number,
): Promise<string> {
  const live = `nothing live changed (generation ${String(current)} is still current)`;
  if (next === 0) return live;
  try {
    await dropDatabases(clickhouse, [options.scratchDatabase, `${options.scratchDatabase}_facts`]);
    await discardGeneration(admin, env, next);
    return `${live}; the attempt's tables, topics and groups were removed`;
  } catch (error: unknown) {
    return `${live}; removing the attempt's leftovers failed (${errorMessage(error)}), the next rebuild removes them`;
  }
}

export type { ReplayedServiceName };
