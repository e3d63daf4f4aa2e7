import type { Admin } from 'kafkajs';
import { CsError, retryingKafka } from '@cs/runtime';
import { ensureTopics, generationSuffix, type TopicCatalog } from '@cs/schemas';

/** Billing's topics: what it reads, what it writes, and its state. */
export interface BillingTopics {
  /** Inputs, keyed `tenant/accountId`. */
  readonly subscription: string;
  readonly invoice: string;
  readonly ticket: string;
  readonly mrrMovement: string;
  readonly accountMrr: string;
  readonly invoiceState: string;
  readonly ticketState: string;
  /** Compacted per-account state; partition n belongs to subscription partition n. */
  readonly changelog: string;
  readonly deadLetter: string;
}

export const CHANGELOG_TOPIC = 'cs.billing.state';

export function billingTopics(catalog: TopicCatalog, prefix: string): BillingTopics {
  return {
    subscription: catalog.raw.subscription.name,
    invoice: catalog.raw.invoice.name,
    ticket: catalog.raw.ticket.name,
    mrrMovement: catalog.derived['mrr-movement'].name,
    accountMrr: catalog.derived['account-mrr'].name,
    invoiceState: catalog.derived['invoice-state'].name,
    ticketState: catalog.derived['ticket-state'].name,
    changelog: `${prefix}${CHANGELOG_TOPIC}${generationSuffix(catalog.generation)}`,
    deadLetter: catalog.deadLetter.name,
  };
}

export type BillingTopicsErrorCode = 'CHANGELOG_PARTITIONS_MISMATCH' | 'INPUT_TOPIC_MISSING';

async function partitionCount(admin: Admin, topic: string): Promise<number | undefined> {
  const metadata = await retryingKafka(() => admin.fetchTopicMetadata({ topics: [topic] }));
  return metadata.topics.find((entry) => entry.name === topic)?.partitions.length;
}

/**
 * Creates what is missing: the catalog's topics and the changelog (compacted, as many partitions
 * as the subscription topic).
 *
 * NOTE: changelog partition n holds the accounts of subscription partition n (written to it
 * explicitly, not by key hash), so the counts must match; a mismatch is refused at start.
 */
export async function ensureBillingTopics(
  admin: Admin,
  catalog: TopicCatalog,
  topics: BillingTopics,
): Promise<{ partitions: number }> {
  await retryingKafka(() => ensureTopics(admin, catalog));
  const partitions = await partitionCount(admin, topics.subscription);
  if (partitions === undefined || partitions === 0) {
    throw new CsError<BillingTopicsErrorCode>(
      'INPUT_TOPIC_MISSING',
      `subscription topic ${topics.subscription} has no partitions`,
    );
  }
  await retryingKafka(async () => {
    if ((await admin.listTopics()).includes(topics.changelog)) return;
    // NOTE: false (no throw) when another instance created it first.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topics.changelog,
          numPartitions: partitions,
          replicationFactor: catalog.raw.subscription.replicationFactor,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
  });
  const changelogPartitions = await partitionCount(admin, topics.changelog);
  if (changelogPartitions !== partitions) {
    throw new CsError<BillingTopicsErrorCode>(
      'CHANGELOG_PARTITIONS_MISMATCH',
      `changelog ${topics.changelog} has ${String(changelogPartitions)} partitions, subscription topic ${topics.subscription} has ${partitions}: they must match`,
    );
  }
  return { partitions };
}
