import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { CsError, errorMessage, type Logger, retryingKafka } from '@cs/runtime';
import {
  createLookupTables,
  decodeAccountEntry,
  decodeUserRecord,
  lookupAccountEntry,
  lookupUserRecord,
  type LookupTables,
} from '../index.js';

export type EntityTablesErrorCode = 'TABLES_CATCH_UP_TIMEOUT';

/**
 * Every tenant's account and user tables, whole (not partitioned), for usage enrichment: built in
 * every enricher process from the two compacted changelogs, read from the start and then followed.
 * Only what enrichment looks up is kept (`LookupTables`: each account's effective parent, each
 * user's role), not the decoded entries.
 *
 * NOTE: a throwaway consumer group (nothing committed) so every process reads every partition;
 * read committed, so an aborted transaction's entries never show. The tables lag the hierarchy
 * step by the time it takes a committed entry to be fetched (milliseconds): enrichment uses the
 * tables as of processing time, which is all `accountPath` promises (roll-ups in the warehouse walk
 * the current `account_hierarchy` edges at query time instead).
 */
export class EntityTables {
  readonly state: LookupTables = createLookupTables();
  readonly #consumer: Consumer;
  readonly #positions = new Map<string, bigint>();

  constructor(
    private readonly options: {
      readonly kafka: Kafka;
      readonly admin: Admin;
      readonly accountsChangelog: string;
      readonly usersChangelog: string;
      readonly groupIdPrefix: string;
      readonly logger: Logger;
    },
  ) {
    this.#consumer = options.kafka.consumer({
      groupId: `${options.groupIdPrefix}.tables.${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
  }

  /** Starts following the changelogs; resolves once they are read up to their current ends. */
  async start(timeoutMs: number): Promise<void> {
    const { accountsChangelog, usersChangelog, admin } = this.options;
    const ends = new Map<string, bigint>();
    for (const topic of [accountsChangelog, usersChangelog]) {
      for (const { partition, high, low } of await retryingKafka(() =>
        admin.fetchTopicOffsets(topic),
      )) {
        if (BigInt(high) > BigInt(low)) ends.set(`${topic}:${partition}`, BigInt(high));
      }
    }
    await this.#consumer.connect();
    await this.#consumer.subscribe({
      topics: [accountsChangelog, usersChangelog],
      fromBeginning: true,
    });
    await this.#consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        for (const message of batch.messages) this.#apply(batch.topic, message.value);
        // NOTE: lastOffset() covers the commit markers kafkajs filters out.
        this.#positions.set(`${batch.topic}:${batch.partition}`, BigInt(batch.lastOffset()) + 1n);
        return Promise.resolve();
      },
    });
    const until = Date.now() + timeoutMs;
    while (![...ends].every(([key, end]) => (this.#positions.get(key) ?? 0n) >= end)) {
      if (Date.now() > until) {
        throw new CsError<EntityTablesErrorCode>(
          'TABLES_CATCH_UP_TIMEOUT',
          `the account and user tables were not read to their end within ${timeoutMs} ms`,
          { retriable: true },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }

  #apply(topic: string, value: Buffer | null): void {
    // The enricher never deletes entries; a tombstone (written by hand) is ignored.
    if (value === null) return;
    try {
      if (topic === this.options.accountsChangelog) {
        lookupAccountEntry(this.state, decodeAccountEntry(value));
      } else {
        lookupUserRecord(this.state, decodeUserRecord(value));
      }
    } catch (error) {
      // One corrupt entry must not stop enrichment of everything else: it is skipped, loudly.
      this.options.logger.error('an entity changelog entry does not decode; skipped', {
        topic,
        error: errorMessage(error),
      });
    }
  }
}
