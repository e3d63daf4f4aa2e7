import type { logLevel } from 'kafkajs';
import {
  createConsumerShell,
  createLogger,
  type ConsumerConfigInput,
  type ConsumerShell,
  type Counter,
  type Logger,
  type ShellExit,
  PartitionStates,
} from '@cs/runtime';
import { connectProcessor } from '@cs/schemas';
import type { TenantDirectory } from '@cs/tenants';
import {
  createEnricherState,
  decodeAccountEntry,
  decodeUserRecord,
  restoreAccountEntry,
  restoreUserRecord,
  type EnricherState,
  type LookupTables,
} from '../index.js';
import { enricherDecoder, enricherHandler, type EnricherInput } from './enricher-handler.js';
import { enricherTopics, ensureEnricherTopics, type EnricherTopics } from './enricher-topics.js';
import { EntityTables } from './entity-tables.js';
import { tenantDays } from '@cs/sessionizer';

export interface EnricherOptions {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly tenants: TenantDirectory;
  /** Put before every topic name (`''` in production, unique per test). */
  readonly topicPrefix?: string;
  /** Partitions of topics created here when missing (the catalog's default otherwise). */
  readonly topicPartitions?: number;
  readonly groupId?: string;
  readonly clientId?: string;
  /** /healthz and /metrics; 0 picks a free port. */
  readonly metricsPort?: number;
  readonly commitEvery?: number;
  readonly restoreTimeoutMs?: number;
  readonly tablesTimeoutMs?: number;
  /**
   * The account hierarchy's event-time horizon (ms; default 7 days): records older than the
   * tenant's newest account record by more are folded, later arrivals that old are late
   * (`EnricherState.hierarchyHorizonMs`).
   */
  readonly hierarchyHorizonMs?: number;
  /** Overrides of the consumer shell's settings (tests: short session timeouts). */
  readonly consumer?: Partial<ConsumerConfigInput>;
  readonly logger?: Logger;
  readonly kafkaLogLevel?: logLevel;
}

export interface EnricherService {
  readonly topics: EnricherTopics;
  readonly shell: ConsumerShell;
  /** The whole account and user tables usage is enriched with (tests). */
  readonly tables: LookupTables;
  readonly done: Promise<ShellExit>;
  /** Idempotent: drains, commits what is done, leaves the group, disconnects. */
  stop(): Promise<void>;
}

/**
 * Starts the enricher: registers the schemas, creates missing topics (repartitions and changelogs
 * included), reads the whole account and user tables, then consumes raw accounts and users, the
 * repartition topics and the sessionizer's activity rows in one exactly-once shell.
 */
export async function startEnricher(options: EnricherOptions): Promise<EnricherService> {
  const logger = options.logger ?? createLogger({ component: 'enricher' });
  const groupId = options.groupId ?? 'cs-enricher';
  const processor = await connectProcessor({
    ...options,
    groupId,
    clientId: options.clientId ?? 'cs-enricher',
    logger,
  });
  const { catalog, codec, kafka, admin } = processor;
  const topics = enricherTopics(catalog, processor.prefix);
  const tables = new EntityTables({
    kafka,
    admin,
    accountsChangelog: topics.accountsChangelog,
    usersChangelog: topics.usersChangelog,
    groupIdPrefix: groupId,
    logger,
  });
  const closeTables = (): Promise<void> => tables.stop();
  try {
    await ensureEnricherTopics(admin, catalog, topics);
    await tables.start(options.tablesTimeoutMs ?? 300_000);
  } catch (error) {
    await closeTables().catch((closeError: unknown) => {
      logger.warn('closing tables failed', { error: closeError });
    });
    await processor.close();
    throw error;
  }

  // Filled in once the shell (whose registry they join) exists; nothing counts before start().
  const counters: { entities?: Counter; refusals?: Counter; restores?: Counter } = {};
  const restoreTimeoutMs = options.restoreTimeoutMs ?? 20_000;
  const partitionStates = (topic: string, changelog: string, kind: 'account' | 'user') =>
    new PartitionStates<EnricherState>({
      topic,
      create: () =>
        createEnricherState(
          options.hierarchyHorizonMs === undefined
            ? {}
            : { hierarchyHorizonMs: options.hierarchyHorizonMs },
        ),
      logger,
      restore: async (partition, state) => {
        const result = await processor.readChangelog({
          topic: changelog,
          partition,
          timeoutMs: restoreTimeoutMs,
          onRecord: (_key, value) => {
            if (value === null) return;
            if (kind === 'account') restoreAccountEntry(state, decodeAccountEntry(value));
            else restoreUserRecord(state, decodeUserRecord(value));
          },
        });
        logger.info(`restored ${kind} tables from the changelog`, {
          partition,
          records: result.records,
          ms: Math.round(result.durationMs),
        });
      },
      onRestored: () => counters.restores?.inc({ group: groupId, kind }),
    });
  const handlerOptions = {
    encoding: {
      topics,
      codec,
      dayOf: tenantDays(options.tenants, { logger }),
    },
    accounts: partitionStates(topics.accountsByTenant, topics.accountsChangelog, 'account'),
    users: partitionStates(topics.usersByUser, topics.usersChangelog, 'user'),
    tables: tables.state,
    onEntity: (kind: string, result: string, refusals: number) => {
      counters.entities?.inc({ group: groupId, kind, outcome: result });
      if (refusals > 0) counters.refusals?.inc({ group: groupId }, refusals);
    },
  };

  const shell = createConsumerShell<EnricherInput>({
    config: processor.shellConfig({
      topics: [
        topics.account,
        topics.user,
        topics.accountsByTenant,
        topics.usersByUser,
        topics.activity,
      ],
      dlqTopic: topics.deadLetter,
      commitEvery: options.commitEvery ?? 5000,
      metricsPort: options.metricsPort ?? 18203,
      overrides: options.consumer,
    }),
    decode: enricherDecoder(handlerOptions),
    handle: enricherHandler(handlerOptions),
    onAssigned: (assigned) => {
      handlerOptions.accounts.assigned(assigned);
      handlerOptions.users.assigned(assigned);
    },
    logger,
    ...(options.kafkaLogLevel === undefined ? {} : { kafkaLogLevel: options.kafkaLogLevel }),
  });
  const metrics = shell.metrics.registry;
  counters.entities = metrics.counter(
    'cs_enricher_entity_records_total',
    'Account and user records by outcome (applied, stale, duplicate).',
    ['group', 'kind', 'outcome'],
  );
  counters.refusals = metrics.counter(
    'cs_enricher_hierarchy_refusals_total',
    'Parent links refused because they would make a cycle (dead-lettered, step enricher.hierarchy).',
    ['group'],
  );
  counters.restores = metrics.counter(
    'cs_enricher_restores_total',
    'Partition tables read from a changelog.',
    ['group', 'kind'],
  );

  const stop = await processor.startShell(shell, closeTables);
  logger.info('enricher started', { topics, groupId });
  return { topics, shell, tables: tables.state, done: shell.done, stop };
}
