// When is the pipeline done with what was published? When every pipeline consumer group has
// consumed every record of every topic it reads. One rule, used by `cs ingest --wait` and by the
// end-to-end test harness (scripts/testing/pipeline.ts).
import { AssignerProtocol, type Admin } from 'kafkajs';
import { CsError } from '@cs/runtime';
import { partitionLag, type PartitionLag } from './consumer-lag.js';

/** The pipeline's consumer groups, upstream first (the order the lag is read in matters). */
export const DEFAULT_PIPELINE_GROUPS: readonly string[] = [
  'cs-sessionizer',
  'cs-enricher',
  'cs-billing',
  'cs-sink',
];

/** `CS_PIPELINE_GROUPS` (comma-separated, upstream first), else the defaults. */
export function pipelineGroupsFromEnv(env: Record<string, string | undefined>): string[] {
  const raw = env.CS_PIPELINE_GROUPS;
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_PIPELINE_GROUPS];
  return raw
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group !== '');
}

/** One reading of the pipeline's lag. */
export interface LagSnapshot {
  rows: PartitionLag[];
  /** Groups whose input cannot be known: no member subscribed and nothing committed. */
  unknownGroups: string[];
}

/**
 * Offsets still to consume, over every partition read. NOTE: no tolerance for transaction markers:
 * the processors' shell and the sink commit past a transaction's closing marker (see
 * filteredThrough in @cs/runtime), so a caught-up group reads a lag of exactly 0 everywhere.
 */
export function totalLag(snapshot: LagSnapshot): bigint {
  return snapshot.rows.reduce((sum, row) => sum + row.lag, 0n);
}

/** The topics a group reads: its members' subscriptions and whatever it has committed offsets on. */
async function groupTopics(admin: Admin, group: string): Promise<string[]> {
  const topics = new Set<string>();
  const { groups } = await admin.describeGroups([group]);
  for (const member of groups[0]?.members ?? []) {
    if (member.memberMetadata.length === 0) continue;
    const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
    for (const topic of metadata?.topics ?? []) topics.add(topic);
  }
  for (const committed of await admin.fetchOffsets({ groupId: group })) {
    topics.add(committed.topic);
  }
  return [...topics].sort();
}

/**
 * Lag of each group on every partition of every topic it reads, groups read in the given order.
 *
 * NOTE: reading upstream groups first makes one zero reading meaningful: whatever an upstream
 * group produced before it was seen caught up is already in the end offsets read for the groups
 * after it. A partition the group has never committed on counts all its records as lag (a group
 * that has not started yet is not "done").
 */
export async function pipelineLag(admin: Admin, groups: readonly string[]): Promise<LagSnapshot> {
  const rows: PartitionLag[] = [];
  const unknownGroups: string[] = [];
  for (const group of groups) {
    const topics = await groupTopics(admin, group);
    if (topics.length === 0) {
      unknownGroups.push(group);
      continue;
    }
    const committed = await admin.fetchOffsets({ groupId: group, topics });
    for (const { topic, partitions } of committed) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
      for (const [partition, end] of [...ends.entries()].sort(([a], [b]) => a - b)) {
        const offset = partitions.find((p) => p.partition === partition)?.offset ?? '-1';
        rows.push({
          group,
          topic,
          partition,
          end: BigInt(end.high),
          ...partitionLag(offset, end.low, end.high),
        });
      }
    }
  }
  return { rows, unknownGroups };
}

/** Why a wait failed: what still lagged at the deadline. */
export class PipelineNotQuiescent extends CsError<'PIPELINE_NOT_QUIESCENT'> {
  constructor(
    message: string,
    readonly last: LagSnapshot | undefined,
  ) {
    super('PIPELINE_NOT_QUIESCENT', message, { retriable: true });
    this.name = 'PipelineNotQuiescent';
  }
}

/** The lagging partitions and unknown groups of a reading, for messages. */
export function describeLag(snapshot: LagSnapshot, limit = 10): string {
  const lagging = snapshot.rows.filter((row) => row.lag > 0n);
  const parts = lagging
    .slice(0, limit)
    .map(
      (row) =>
        `${row.group} ${row.topic}[${String(row.partition)}] lag ${String(row.lag)} ` +
        `(committed ${row.committed === null ? 'nothing' : String(row.committed)}, ` +
        `end ${String(row.end)})`,
    );
  if (lagging.length > limit) parts.push(`… and ${lagging.length - limit} more partitions`);
  for (const group of snapshot.unknownGroups) {
    parts.push(`${group}: no running member and no committed offsets (is it running?)`);
  }
  return parts.length === 0 ? 'nothing lags' : parts.join('; ');
}

const endsOf = (snapshot: LagSnapshot): string =>
  snapshot.rows
    .map((row) => `${row.group}|${row.topic}|${String(row.partition)}|${String(row.end)}`)
    .join(',');

const isCaughtUp = (snapshot: LagSnapshot): boolean =>
  snapshot.unknownGroups.length === 0 && totalLag(snapshot) === 0n;

export interface QuiescenceOptions {
  /** One reading of the lag (`pipelineLag` bound to an admin and groups). */
  measure: () => Promise<LagSnapshot>;
  timeoutMs: number;
  /** Pause between readings. */
  intervalMs?: number;
  /** Consecutive caught-up readings, with unchanged end offsets, required. */
  consecutive?: number;
  /** Called after every reading. */
  onReading?: (snapshot: LagSnapshot) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Resolves once `consecutive` readings in a row (default 2) find no lag and the same end offsets:
 * processors write derived topics that the sink then reads, so one zero reading could fall
 * between a processor's commit and the next reading of its output; unchanged ends say nothing
 * was produced in between. Throws PipelineNotQuiescent naming what lags at the deadline.
 */
export async function waitForQuiescence(options: QuiescenceOptions): Promise<LagSnapshot> {
  const now = options.now ?? (() => Date.now());
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const intervalMs = options.intervalMs ?? 500;
  const consecutive = options.consecutive ?? 2;
  const deadline = now() + options.timeoutMs;
  let streak = 0;
  let previousEnds = '';
  let last: LagSnapshot | undefined;
  for (;;) {
    last = await options.measure();
    options.onReading?.(last);
    const ends = endsOf(last);
    streak = isCaughtUp(last) ? (streak > 0 && ends !== previousEnds ? 1 : streak + 1) : 0;
    previousEnds = ends;
    if (streak >= consecutive) return last;
    if (now() >= deadline) {
      throw new PipelineNotQuiescent(
        `the pipeline did not catch up within ${(options.timeoutMs / 1000).toFixed(0)} s: ` +
          describeLag(last),
        last,
      );
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - now())));
  }
}
