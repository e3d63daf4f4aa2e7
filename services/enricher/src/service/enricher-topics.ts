import type { Admin, ITopicConfig } from 'kafkajs';
import { CsError, retryingKafka } from '@cs/runtime';
import { ensureTopics, generationSuffix, type TopicCatalog } from '@cs/schemas';

/** The enricher's topics: what it reads, what it writes, its repartitions and its state. */
export interface EnricherTopics {
  /** Raw inputs, keyed `tenant/accountId`. */
  readonly account: string;
  readonly user: string;
  /** Raw account records re-keyed by `tenant`: one partition, one order per tenant. */
  readonly accountsByTenant: string;
  /** Raw user records re-keyed by `tenant/userId`: one order per user. */
  readonly usersByUser: string;
  /** The sessionizer's activity rows (one per distinct usage event), enriched-usage shape. */
  readonly activity: string;
  readonly accountState: string;
  readonly userState: string;
  readonly hierarchyEdge: string;
  readonly enrichedUsage: string;
  /** Compacted account entries (`tenant/accountId`), partition n = accountsByTenant partition n. */
  readonly accountsChangelog: string;
  /** Compacted user records (`tenant/userId`), partition n = usersByUser partition n. */
  readonly usersChangelog: string;
  readonly deadLetter: string;
}

export const ACCOUNTS_BY_TENANT_TOPIC = 'cs.enricher.accounts-by-tenant';
export const USERS_BY_USER_TOPIC = 'cs.enricher.users-by-user';
export const ACCOUNTS_CHANGELOG_TOPIC = 'cs.enricher.accounts';
export const USERS_CHANGELOG_TOPIC = 'cs.enricher.users';
/** Written by the sessionizer (services/sessionizer/src/service/sessionizer-topics.ts). */
export const ACTIVITY_TOPIC = 'cs.derived.sessionized-usage';

export function enricherTopics(catalog: TopicCatalog, prefix: string): EnricherTopics {
  const suffix = generationSuffix(catalog.generation);
  return {
    account: catalog.raw.account.name,
    user: catalog.raw.user.name,
    accountsByTenant: `${prefix}${ACCOUNTS_BY_TENANT_TOPIC}${suffix}`,
    usersByUser: `${prefix}${USERS_BY_USER_TOPIC}${suffix}`,
    activity: `${prefix}${ACTIVITY_TOPIC}${suffix}`,
    accountState: catalog.derived['account-state'].name,
    userState: catalog.derived['user-state'].name,
    hierarchyEdge: catalog.derived['hierarchy-edge'].name,
    enrichedUsage: catalog.derived['enriched-usage'].name,
    accountsChangelog: `${prefix}${ACCOUNTS_CHANGELOG_TOPIC}${suffix}`,
    usersChangelog: `${prefix}${USERS_CHANGELOG_TOPIC}${suffix}`,
    deadLetter: catalog.deadLetter.name,
  };
}

export type EnricherTopicsErrorCode = 'CHANGELOG_PARTITIONS_MISMATCH';

async function partitionCount(admin: Admin, topic: string): Promise<number | undefined> {
  const metadata = await retryingKafka(() => admin.fetchTopicMetadata({ topics: [topic] }));
  return metadata.topics.find((entry) => entry.name === topic)?.partitions.length;
}

/**
 * Creates what is missing: the catalog's topics, the two repartition topics and the activity topic
 * (configured like the derived ones, retention included: they are rebuilt from the raw topics),
 * and the two changelogs (compacted, as many partitions as the repartition topic they belong to).
 *
 * NOTE: changelog partition n is written explicitly by the producer of repartition partition n
 * (not by key hash), so the counts must match; a mismatch is refused at start.
 */
export async function ensureEnricherTopics(
  admin: Admin,
  catalog: TopicCatalog,
  topics: EnricherTopics,
): Promise<void> {
  await retryingKafka(() => ensureTopics(admin, catalog));
  const derived = catalog.derived['account-state'];
  const like = (topic: string): ITopicConfig => ({
    topic,
    numPartitions: derived.partitions,
    replicationFactor: derived.replicationFactor,
    configEntries: Object.entries(derived.config).map(([name, value]) => ({ name, value })),
  });
  await createMissing(admin, [
    like(topics.accountsByTenant),
    like(topics.usersByUser),
    like(topics.activity),
  ]);
  for (const [input, changelog] of [
    [topics.accountsByTenant, topics.accountsChangelog],
    [topics.usersByUser, topics.usersChangelog],
  ] as const) {
    const partitions = (await partitionCount(admin, input)) ?? 0;
    await createMissing(admin, [
      {
        topic: changelog,
        numPartitions: partitions,
        replicationFactor: derived.replicationFactor,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ]);
    const changelogPartitions = await partitionCount(admin, changelog);
    if (changelogPartitions !== partitions) {
      throw new CsError<EnricherTopicsErrorCode>(
        'CHANGELOG_PARTITIONS_MISMATCH',
        `changelog ${changelog} has ${String(changelogPartitions)} partitions, ${input} has ${partitions}: they must match`,
      );
    }
  }
}

async function createMissing(admin: Admin, wanted: ITopicConfig[]): Promise<void> {
  await retryingKafka(async () => {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic.topic));
    // NOTE: false (no throw) when another instance created them first.
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  });
}
