import type { Admin, ITopicConfig } from 'kafkajs';
import { CsError, retryingKafka } from '@cs/runtime';
import { ensureTopics, generationSuffix, type TopicCatalog } from '@cs/schemas';

/** The sessionizer's topics: what it reads, what it writes, and its state. */
export interface SessionizerTopics {
  /** Input: raw usage events, keyed `tenant/userId`. */
  readonly usage: string;
  readonly session: string;
  readonly timeSlice: string;
  /** Activity rows (one per distinct event) in the enriched-usage shape. */
  readonly activity: string;
  /** Events older than their user's held horizon. */
  readonly late: string;
  /** Compacted per-user state, partition n = usage partition n. */
  readonly changelog: string;
  readonly deadLetter: string;
}

export const ACTIVITY_TOPIC = 'cs.derived.sessionized-usage';
export const CHANGELOG_TOPIC = 'cs.sessionizer.state';

export function sessionizerTopics(catalog: TopicCatalog, prefix: string): SessionizerTopics {
  return {
    usage: catalog.raw.usage.name,
    session: catalog.derived.session.name,
    timeSlice: catalog.derived['time-slice'].name,
    activity: `${prefix}${ACTIVITY_TOPIC}${generationSuffix(catalog.generation)}`,
    late: catalog.derived['late-event'].name,
    changelog: `${prefix}${CHANGELOG_TOPIC}${generationSuffix(catalog.generation)}`,
    deadLetter: catalog.deadLetter.name,
  };
}

export type SessionizerTopicsErrorCode = 'CHANGELOG_PARTITIONS_MISMATCH' | 'USAGE_TOPIC_MISSING';

/**
 * Creates what is missing: the catalog's topics (the late topic among them), the activity topic
 * (like the derived ones), and the changelog, compacted, with as many partitions as the usage topic.
 *
 * NOTE: the changelog's partition n holds the state of usage partition n (records are written to
 * it explicitly, not by key hash), so both must have the same partition count; a mismatch is a
 * deployment error, refused at start.
 */
export async function ensureSessionizerTopics(
  admin: Admin,
  catalog: TopicCatalog,
  topics: SessionizerTopics,
): Promise<{ partitions: number }> {
  // NOTE: right after topics are created (here or by a process starting beside this one) the
  // broker may answer metadata with UNKNOWN_TOPIC_OR_PARTITION while leaders are elected.
  await retryingKafka(() => ensureTopics(admin, catalog));
  const metadata = await retryingKafka(() => admin.fetchTopicMetadata({ topics: [topics.usage] }));
  const partitions = metadata.topics.find((topic) => topic.name === topics.usage)?.partitions
    .length;
  if (partitions === undefined || partitions === 0) {
    throw new CsError<SessionizerTopicsErrorCode>(
      'USAGE_TOPIC_MISSING',
      `usage topic ${topics.usage} has no partitions`,
    );
  }
  const derived = catalog.derived.session;
  const wanted: ITopicConfig[] = [
    {
      topic: topics.activity,
      numPartitions: derived.partitions,
      replicationFactor: derived.replicationFactor,
      configEntries: Object.entries(derived.config).map(([name, value]) => ({ name, value })),
    },
    {
      topic: topics.changelog,
      numPartitions: partitions,
      replicationFactor: derived.replicationFactor,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    },
  ];
  const existing = new Set(await retryingKafka(() => admin.listTopics()));
  const missing = wanted.filter((topic) => !existing.has(topic.topic));
  if (missing.length > 0) {
    // NOTE: false (no throw) when another instance created them first.
    await retryingKafka(() => admin.createTopics({ topics: missing, waitForLeaders: true }));
  }
  const changelog = await retryingKafka(() =>
    admin.fetchTopicMetadata({ topics: [topics.changelog] }),
  );
  const changelogPartitions = changelog.topics[0]?.partitions.length;
  if (changelogPartitions !== partitions) {
    throw new CsError<SessionizerTopicsErrorCode>(
      'CHANGELOG_PARTITIONS_MISMATCH',
      `changelog ${topics.changelog} has ${String(changelogPartitions)} partitions, usage topic ${topics.usage} has ${partitions}: they must match`,
    );
  }
  return { partitions };
}
