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
import { AccountBillingStore } from './account-billing-store.js';
import { billingTopics, ensureBillingTopics, type BillingTopics } from './billing-topics.js';
import { billingDecoder, billingHandler, type BillingInput } from './billing-handler.js';
import { tenantDays } from '@cs/sessionizer';

export interface BillingOptions {
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
  /** Overrides of the consumer shell's settings (tests: short session timeouts). */
  readonly consumer?: Partial<ConsumerConfigInput>;
  readonly logger?: Logger;
  readonly kafkaLogLevel?: logLevel;
}

export interface BillingService {
  readonly topics: BillingTopics;
  readonly shell: ConsumerShell;
  /** The account states of the subscription partitions held (tests, metrics). */
  readonly partitions: PartitionStates<AccountBillingStore>;
  readonly done: Promise<ShellExit>;
  /** Idempotent: drains, commits what is done, leaves the group, disconnects. */
  stop(): Promise<void>;
}

/**
 * Starts billing: registers the schemas, creates missing topics (the changelog included), and
 * consumes the raw subscription, invoice and ticket topics in exactly-once mode. Resolves once
 * consuming has started.
 */
export async function startBilling(options: BillingOptions): Promise<BillingService> {
  const logger = options.logger ?? createLogger({ component: 'billing' });
  const groupId = options.groupId ?? 'cs-billing';
  const processor = await connectProcessor({
    ...options,
    groupId,
    clientId: options.clientId ?? 'cs-billing',
    logger,
  });
  const { catalog, codec } = processor;
  const topics = billingTopics(catalog, processor.prefix);
  try {
    await ensureBillingTopics(processor.admin, catalog, topics);
  } catch (error) {
    await processor.close();
    throw error;
  }

  // Filled in once the shell (whose registry they join) exists; nothing counts before start().
  const counters: { actions?: Counter; restores?: Counter; unknownTenants?: Counter } = {};
  const partitions = new PartitionStates<AccountBillingStore>({
    topic: topics.subscription,
    create: () => new AccountBillingStore(),
    logger,
    restore: async (partition, store) => {
      const result = await processor.readChangelog({
        topic: topics.changelog,
        partition,
        timeoutMs: options.restoreTimeoutMs ?? 20_000,
        onRecord: (key, value) => store.restoreRecord(key, value),
      });
      logger.info('restored billing state from the changelog', {
        partition,
        records: result.records,
        accounts: store.size,
        endOffset: result.endOffset,
        ms: Math.round(result.durationMs),
      });
    },
    onRestored: () => counters.restores?.inc({ group: groupId }),
  });
  const handlerOptions = {
    codec,
    partitions,
    encoding: {
      topics,
      codec,
      dayOf: tenantDays(options.tenants, {
        logger,
        onUnknownTenant: () => counters.unknownTenants?.inc({ group: groupId }),
      }),
    },
    onAction: (result: string) => counters.actions?.inc({ group: groupId, outcome: result }),
  };

  const shell = createConsumerShell<BillingInput>({
    config: processor.shellConfig({
      topics: [topics.subscription, topics.invoice, topics.ticket],
      dlqTopic: topics.deadLetter,
      commitEvery: options.commitEvery ?? 5000,
      metricsPort: options.metricsPort ?? 18202,
      overrides: options.consumer,
    }),
    decode: billingDecoder(handlerOptions),
    handle: billingHandler(handlerOptions),
    onAssigned: (assigned) => partitions.assigned(assigned),
    logger,
    ...(options.kafkaLogLevel === undefined ? {} : { kafkaLogLevel: options.kafkaLogLevel }),
  });
  const metrics = shell.metrics.registry;
  counters.actions = metrics.counter(
    'cs_billing_actions_total',
    'Subscription actions by outcome (applied, duplicate, invalid).',
    ['group', 'outcome'],
  );
  counters.restores = metrics.counter(
    'cs_billing_restores_total',
    'Partition states read from the changelog.',
    ['group'],
  );
  counters.unknownTenants = metrics.counter(
    'cs_billing_unknown_tenants_total',
    'Tenants not in the tenants file (days in UTC).',
    ['group'],
  );

  const stop = await processor.startShell(shell);
  logger.info('billing started', { topics, groupId });
  return { topics, shell, partitions, done: shell.done, stop };
}
