import type { logLevel } from 'kafkajs';
import {
  createConsumerShell,
  createLogger,
  type ConsumerConfigInput,
  type ConsumerShell,
  type Logger,
  type ShellExit,
} from '@cs/runtime';
import {
  connectProcessor,
  createCodec,
  subjectFor,
  AVRO_SCHEMAS,
  type Codec,
  type UsageRecord,
} from '@cs/schemas';
import type { TenantDirectory } from '@cs/tenants';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createSessionizerMetrics, type SessionizerMetrics } from './sessionizer-metrics.js';
import {
  ensureSessionizerTopics,
  sessionizerTopics,
  type SessionizerTopics,
} from './sessionizer-topics.js';
import { tenantConfigs } from './tenant-configs.js';
import { UsageHandler } from './usage-handler.js';

/**
 * Input records per transaction at most; each fetched batch also ends one. NOTE: a transaction
 * costs AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn round trips plus a commit
 * marker per partition written, whatever its size; large units are split into several produce
 * requests inside the one transaction by the shell.
 */
export const DEFAULT_COMMIT_EVERY = 10_000;

export interface SessionizerOptions {
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
  /** Users kept decoded per partition; the others are held encoded (DEFAULT_HOT_USERS). */
  readonly hotUsers?: number;
  /** Overrides of the consumer shell's settings (tests: short session timeouts). */
  readonly consumer?: Partial<ConsumerConfigInput>;
  readonly logger?: Logger;
  readonly kafkaLogLevel?: logLevel;
}

export interface SessionizerService {
  readonly topics: SessionizerTopics;
  readonly shell: ConsumerShell;
  readonly handler: UsageHandler;
  /** Settles when consuming ends (stopped, or failed: health `error`). */
  readonly done: Promise<ShellExit>;
  /** Idempotent: drains, commits what is done, leaves the group, disconnects. */
  stop(): Promise<void>;
}

/**
 * Starts the sessionizer: registers the schemas, creates the missing topics (changelog included),
 * and consumes the raw usage topic in exactly-once mode. Resolves once consuming has started.
 */
export async function startSessionizer(options: SessionizerOptions): Promise<SessionizerService> {
  const logger = options.logger ?? createLogger({ component: 'sessionizer' });
  const groupId = options.groupId ?? 'cs-sessionizer';
  const processor = await connectProcessor({
    ...options,
    groupId,
    clientId: options.clientId ?? 'cs-sessionizer',
    logger,
  });
  const { catalog, registry, ids } = processor;
  const topics = sessionizerTopics(catalog, processor.prefix);
  let codec: Codec;
  try {
    // The activity topic carries the enriched-usage schema under its own subject (TopicNameStrategy).
    const activity = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(AVRO_SCHEMAS['derived-enriched-usage']) },
      { subject: subjectFor(topics.activity), compatibility: COMPATIBILITY.BACKWARD },
    );
    codec = createCodec(registry, { ...ids, 'derived-enriched-usage': activity.id });
    await ensureSessionizerTopics(processor.admin, catalog, topics);
  } catch (error) {
    await processor.close();
    throw error;
  }

  // Filled in once the shell (whose registry it joins) exists; nothing counts before start().
  const counted: { metrics?: SessionizerMetrics } = {};
  const handler = new UsageHandler({
    usageTopic: topics.usage,
    changelogTopic: topics.changelog,
    encoding: { topics, codec },
    configFor: tenantConfigs(options.tenants, {
      logger,
      onUnknownTenant: () => counted.metrics?.unknownTenants.inc({ group: groupId }),
    }),
    logger,
    ...(options.hotUsers === undefined ? {} : { hotUsers: options.hotUsers }),
    restore: async (partition, state) => {
      const result = await processor.readChangelog({
        topic: topics.changelog,
        partition,
        timeoutMs: options.restoreTimeoutMs ?? 120_000,
        onRecord: (key, value) => state.restoreRecord(key, value),
      });
      counted.metrics?.restoreSeconds.observe({ group: groupId }, result.durationMs / 1000);
      logger.info('restored partition state from the changelog', {
        partition,
        records: result.records,
        endOffset: result.endOffset,
        ms: Math.round(result.durationMs),
      });
    },
    hooks: {
      onApplied: (result) => counted.metrics?.countEvent(result),
      onRestored: () => {
        counted.metrics?.restores.inc({ group: groupId });
        counted.metrics?.refreshUsers(handler.userCounts());
      },
    },
  });

  const shell = createConsumerShell<UsageRecord>({
    config: processor.shellConfig({
      topics: [topics.usage],
      dlqTopic: topics.deadLetter,
      commitEvery: options.commitEvery ?? DEFAULT_COMMIT_EVERY,
      metricsPort: options.metricsPort ?? 18201,
      overrides: options.consumer,
    }),
    // Undecodable bytes throw a CsError: the shell dead-letters them (retriable: registry down).
    decode: (record) => processor.codec.decode('usage', record.value ?? Buffer.alloc(0)),
    handle: handler.handle,
    // Each changed user's state is encoded once per unit, not after each of its events.
    beforeDeliver: handler.changelogFor,
    onAssigned: (partitions) => {
      handler.assigned(partitions);
      counted.metrics?.refreshUsers(handler.userCounts());
    },
    logger,
    ...(options.kafkaLogLevel === undefined ? {} : { kafkaLogLevel: options.kafkaLogLevel }),
  });
  counted.metrics = createSessionizerMetrics(shell.metrics.registry, groupId, () =>
    handler.userCounts(),
  );

  const stop = await processor.startShell(shell);
  logger.info('sessionizer started', { topics, groupId });
  return { topics, shell, handler, done: shell.done, stop };
}
