import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import {
  restoreChangelogPartition,
  type ConsumerConfigInput,
  type ConsumerShell,
  type Logger,
  type RestoreChangelogResult,
} from '@cs/runtime';
import { createCodec, type Codec } from './codec.js';
import { createSchemaRegistry, registerSchemas, type SchemaIds } from './registry.js';
import { generationFromEnv, refuseStaleGeneration } from './generation.js';
import { topicCatalog, type TopicCatalog } from './topics.js';

/**
 * The start-up wiring every stateful processor (sessionizer, enricher, billing) shares: the topic
 * catalog, the registered schemas and their codec, and a Kafka client and admin for the state
 * (changelog restores, topic creation) next to the consumer shell's own.
 */
export interface ProcessorConnectOptions {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  /** Put before every topic name (`''` in production, unique per test). */
  readonly topicPrefix?: string;
  /** Partitions of topics created when missing (the catalog's default otherwise). */
  readonly topicPartitions?: number;
  /** The pipeline generation (generation.ts); default `CS_PIPELINE_GENERATION`, else 0. */
  readonly generation?: number;
  readonly groupId: string;
  readonly clientId: string;
  readonly logger: Logger;
  readonly kafkaLogLevel?: logLevel;
}

/** What a processor's shell takes beyond the shared settings. */
export interface ProcessorShellSettings {
  readonly topics: readonly string[];
  readonly dlqTopic: string;
  readonly commitEvery: number;
  readonly metricsPort: number;
  /** Overrides (tests: short session timeouts). */
  readonly overrides?: Partial<ConsumerConfigInput> | undefined;
}

export interface ChangelogRead {
  readonly topic: string;
  readonly partition: number;
  readonly timeoutMs: number;
  readonly onRecord: (key: string, value: Buffer | null) => void;
}

export interface ProcessorConnection {
  readonly prefix: string;
  readonly groupId: string;
  readonly clientId: string;
  readonly catalog: TopicCatalog;
  readonly registry: SchemaRegistry;
  readonly ids: SchemaIds;
  readonly codec: Codec;
  /** The state client (restores, tables); not the shell's. */
  readonly kafka: Kafka;
  /** Connected; closed by `close`. */
  readonly admin: Admin;
  /** The shell config of an exactly-once processor of this group. */
  shellConfig(settings: ProcessorShellSettings): ConsumerConfigInput;
  /** Reads one changelog partition (restoreChangelogPartition) in a throwaway group of this group. */
  readChangelog(read: ChangelogRead): Promise<RestoreChangelogResult>;
  /**
   * Starts `shell`; resolves to the processor's idempotent stop (the shell, then `closeState`,
   * then the admin), also run once the shell ends by itself. A failed start closes everything.
   */
  startShell(shell: ConsumerShell, closeState?: () => Promise<void>): Promise<() => Promise<void>>;
  /** Disconnects the admin; failures are logged, never thrown. Idempotent. */
  close(): Promise<void>;
}

/**
 * Registers the schemas (the processor's start fails if the registry refuses them), then connects
 * the state admin. Topic creation stays with the caller (each processor owns its extra topics).
 */
export async function connectProcessor(
  options: ProcessorConnectOptions,
): Promise<ProcessorConnection> {
  const { groupId, clientId, logger } = options;
  const prefix = options.topicPrefix ?? '';
  const catalog = topicCatalog({
    prefix,
    ...(options.topicPartitions === undefined ? {} : { partitions: options.topicPartitions }),
    // NOTE: the one place the processors learn their generation; `cs rebuild` and the launchers
    // set CS_PIPELINE_GENERATION (the sink reads it through topicCatalogFromEnv).
    generation: options.generation ?? generationFromEnv(),
  });
  const registry = createSchemaRegistry({ host: options.registryUrl, clientId });
  const ids = await registerSchemas(registry, catalog);
  const codec = createCodec(registry, ids);
  const kafka = new Kafka({
    clientId: `${clientId}-state`,
    brokers: [...options.brokers],
    logLevel: options.kafkaLogLevel ?? logLevel.WARN,
  });
  await refuseStaleGeneration(kafka, prefix, catalog.generation);
  const admin = kafka.admin();
  await admin.connect();
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= admin.disconnect().catch((error: unknown) => {
      logger.warn('admin disconnect failed', { error });
    }));
  const closeAll = async (closeState?: () => Promise<void>): Promise<void> => {
    try {
      await closeState?.();
    } catch (error) {
      logger.warn('closing the processor state failed', { error });
    }
    await close();
  };
  return {
    prefix,
    groupId,
    clientId,
    catalog,
    registry,
    ids,
    codec,
    kafka,
    admin,
    shellConfig: (settings) => ({
      brokers: [...options.brokers],
      clientId,
      groupId,
      topics: [...settings.topics],
      dlqTopic: settings.dlqTopic,
      mode: 'exactly-once',
      commitEvery: settings.commitEvery,
      metricsPort: settings.metricsPort,
      // A restore that keeps failing halts the service (health error) instead of parking inputs.
      retry: { onExhausted: 'stop' },
      ...settings.overrides,
    }),
    readChangelog: (read) =>
      restoreChangelogPartition({ kafka, admin, groupIdPrefix: groupId, ...read }),
    startShell: async (shell, closeState) => {
      try {
        await shell.start();
      } catch (error) {
        await shell.stop();
        await closeAll(closeState);
        throw error;
      }
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> =>
        (stopping ??= (async () => {
          await shell.stop();
          await closeAll(closeState);
        })());
      void shell.done.then(() => stop());
      return stop;
    },
    close,
  };
}
