import type { Admin, Consumer, Kafka, logLevel } from 'kafkajs';
import { CsError, errorMessage } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { BatchProcessor } from './batch-processor.js';
import {
  consumerConfigSchema,
  type ConsumerConfig,
  type ConsumerConfigInput,
} from './consumer-config.js';
import { createConsumerMetrics, type ConsumerMetrics } from './consumer-metrics.js';
import { AtLeastOnceDelivery, TransactionalDelivery, type Delivery } from './delivery.js';
import { filteredThrough } from './filtered-batch.js';
import { HealthState, type HealthReport } from './health.js';
import { startHttpEndpoint, type HttpEndpoint } from './http-endpoint.js';
import { InFlightGate, partitionKey, type GateChange, type TopicPartition } from './in-flight.js';
import { createServiceKafka } from './kafka-client.js';
import { every, refreshLag } from './lag-monitor.js';
import type { OutputRecord, RecordDecoder, RecordHandler } from './outcome.js';

export type ConsumerShellErrorCode = 'CONFIG_INVALID' | 'CONSUMER_CRASHED' | 'SHELL_STATE';

export interface ConsumerShellOptions<T> {
  readonly config: ConsumerConfigInput;
  readonly decode: RecordDecoder<T>;
  readonly handle: RecordHandler<T>;
  readonly logger?: Logger;
  /** kafkajs' own log level (its lines go through `logger`); WARN by default, NOTHING in tests. */
  readonly kafkaLogLevel?: logLevel;
  /** Serve /healthz and /metrics on `config.metricsPort` (default true). */
  readonly http?: boolean;
  /** New groups start at the earliest offset (default): a processor replays its input from the start. */
  readonly fromBeginning?: boolean;
  /**
   * Called on every new group generation with this member's partitions, before any batch of that
   * generation is handled: a stateful processor drops the state of the partitions it lost and
   * re-checks the ones it kept (it may have been out of the group meanwhile).
   */
  readonly onAssigned?: (partitions: readonly TopicPartition[]) => void;
  /**
   * Called once per commit unit of `tp`, after its last record was handled and right before it is
   * delivered; the records returned join the unit (exactly-once: the same transaction as its
   * outputs and input offsets). A stateful processor returns here the latest state of each key the
   * unit changed, encoded once instead of after every record. Throwing fails the delivery: nothing
   * of the unit is committed and its records are handled again.
   */
  readonly beforeDeliver?: (tp: TopicPartition) => readonly OutputRecord[];
}

export type ShellExit =
  { readonly kind: 'stopped' } | { readonly kind: 'failed'; readonly error: Error };

export interface ConsumerShell {
  /** Connects, joins the group and starts consuming; resolves once `run` has been called. */
  start(): Promise<void>;
  /**
   * Idempotent: stops fetching, lets the batch at hand finish its current record, delivers and
   * commits what is done (never unfinished work), leaves the group, disconnects the producers and
   * closes the HTTP endpoint.
   */
  stop(): Promise<void>;
  /** Settles once consuming has ended: stopped by `stop()`, or failed (fatal error, health `error`). */
  readonly done: Promise<ShellExit>;
  health(): HealthReport;
  readonly metrics: ConsumerMetrics;
  readonly config: ConsumerConfig;
  /** The bound HTTP port once started (useful with `metricsPort: 0`). */
  readonly httpPort: number | undefined;
}

export function createConsumerShell<T>(options: ConsumerShellOptions<T>): ConsumerShell {
  return new KafkaConsumerShell(options);
}

function parseConfig(input: ConsumerConfigInput): ConsumerConfig {
  const result = consumerConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new CsError<ConsumerShellErrorCode>(
    'CONFIG_INVALID',
    `invalid consumer config:\n  ${problems.join('\n  ')}`,
  );
}

class KafkaConsumerShell<T> implements ConsumerShell {
  readonly config: ConsumerConfig;
  readonly metrics: ConsumerMetrics;
  readonly done: Promise<ShellExit>;
  readonly #health = new HealthState();
  readonly #logger: Logger;
  readonly #kafka: Kafka;
  readonly #admin: Admin;
  readonly #consumer: Consumer;
  readonly #delivery: Delivery;
  readonly #gate: InFlightGate;
  readonly #processor: BatchProcessor<T>;
  #resolveDone: (exit: ShellExit) => void = () => undefined;
  #assigned: TopicPartition[] = [];
  #http: HttpEndpoint | undefined;
  #starting: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;
  #stopping = false;
  #fatal: Error | undefined;
  #stopLag: () => void = () => undefined;

  constructor(private readonly options: ConsumerShellOptions<T>) {
    const config = parseConfig(options.config);
    this.config = config;
    this.#logger = (options.logger ?? createLogger({ component: 'consumer' })).child({
      group: config.groupId,
    });
    this.metrics = createConsumerMetrics();
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    this.#kafka = createServiceKafka({
      clientId: config.clientId,
      brokers: config.brokers,
      logger: this.#logger,
      logLevel: options.kafkaLogLevel,
    });
    this.#admin = this.#kafka.admin();
    const producerSettings = {
      allowAutoTopicCreation: config.allowAutoTopicCreation,
      retries: config.producerRetries,
    };
    this.#delivery =
      config.mode === 'exactly-once'
        ? new TransactionalDelivery(this.#kafka, this.#admin, {
            ...producerSettings,
            groupId: config.groupId,
            transactionalIdPrefix: config.transactionalIdPrefix ?? config.groupId,
            logger: this.#logger,
          })
        : new AtLeastOnceDelivery(this.#kafka, producerSettings);
    this.#consumer = this.#kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: config.heartbeatIntervalMs,
      maxWaitTimeInMs: config.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      // NOTE: read committed, always: an aborted transaction's records must never become inputs.
      readUncommitted: false,
    });
    this.#gate = new InFlightGate(config.maxInFlight);
    this.#processor = new BatchProcessor<T>({
      groupId: config.groupId,
      dlqTopic: config.dlqTopic,
      commitEvery: config.commitEvery,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      retry: config.retry,
      decode: options.decode,
      handle: options.handle,
      beforeDeliver: options.beforeDeliver,
      delivery: this.#delivery,
      gate: this.#gate,
      metrics: this.metrics,
      health: this.#health,
      logger: this.#logger,
      applyGate: (change) => this.#applyGate(change),
      stopping: () => this.#stopping,
      onFatal: (error, tp) => {
        this.#consumer.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
        this.#halt(error);
      },
    });
    this.#health.set('group', 'degraded', 'not yet joined');
  }

  get httpPort(): number | undefined {
    return this.#http?.port;
  }

  health(): HealthReport {
    return this.#health.report();
  }

  start(): Promise<void> {
    if (this.#stopping) {
      return Promise.reject(
        new CsError<ConsumerShellErrorCode>('SHELL_STATE', 'consumer shell already stopped'),
      );
    }
    return (this.#starting ??= this.#start());
  }

  async #start(): Promise<void> {
    const { config } = this;
    if (this.options.http !== false) {
      this.#http = await startHttpEndpoint({
        port: config.metricsPort,
        health: () => this.health(),
        metrics: () => this.metrics.registry.format(),
      });
    }
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      const held = new Set(this.#assigned.map((tp) => `${tp.topic}:${tp.partition}`));
      this.#gate.retain((tp) => held.has(`${tp.topic}:${tp.partition}`));
      this.#delivery.assigned(this.#assigned);
      this.options.onAssigned?.(this.#assigned);
      this.#health.clear('group');
      this.#health.clear('crash');
      this.#logger.info('joined group', { memberId: payload.memberId, assigned: this.#assigned });
      void this.#refreshLag();
    });
    // A fetch of only transaction markers or aborted records never reaches eachBatch: commit past it
    // here, or the partition shows a lag until its next record (see filteredThrough).
    this.#consumer.on(this.#consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const through = filteredThrough(payload);
      if (through === undefined || this.#stopping) return;
      const tp = { topic: payload.topic, partition: payload.partition };
      if (!this.#assigned.some((held) => partitionKey(held) === partitionKey(tp))) return;
      void this.#processor.passFiltered(
        { ...tp, through, highWatermark: payload.highWatermark },
        (offsets) =>
          this.#consumer.commitOffsets(
            offsets.topics.flatMap(({ topic, partitions }) =>
              partitions.map(({ partition, offset }) => ({ topic, partition, offset })),
            ),
          ),
      );
    });
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) {
        this.#health.set(
          'crash',
          'degraded',
          `consumer restarting after: ${payload.error.message}`,
        );
        return;
      }
      this.#halt(
        new CsError<ConsumerShellErrorCode>('CONSUMER_CRASHED', payload.error.message, {
          cause: payload.error,
        }),
      );
    });
    await this.#admin.connect();
    await this.#consumer.connect();
    await this.#consumer.subscribe({
      topics: config.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.partitionsConcurrently,
      eachBatch: (payload) => this.#processor.process(payload),
    });
    this.#stopLag = every(config.lagIntervalMs, () => this.#refreshLag(), this.#logger);
    this.#logger.info('consuming', { topics: config.topics, mode: config.mode });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#starting?.catch((error: unknown) => {
      this.#logger.warn('stop after a failed start', { error });
    });
    await (this.#shutdown ??= this.#close());
    await this.#http?.close();
  }

  /** A fatal error: health turns `error`, consuming ends; the HTTP endpoint stays up for probes. */
  #halt(error: Error): void {
    if (this.#fatal !== undefined) return;
    this.#fatal = error;
    this.#health.set('consumer', 'error', error.message);
    this.#logger.error('consumer halted', { error });
    this.#stopping = true;
    // NOTE: not awaited — this runs inside eachBatch, and kafkajs' stop waits for eachBatch to return.
    this.#shutdown ??= this.#close();
  }

  async #close(): Promise<void> {
    this.#stopLag();
    const steps: Array<[string, () => Promise<void>]> = [
      ['consumer', () => this.#consumer.disconnect()],
      // NOTE: a commit past a filtered fetch runs beside kafkajs (not inside eachBatch): closing
      // its producer under it could leave its transaction open until the broker times it out.
      ['commits past filtered fetches', () => this.#processor.passesSettled()],
      ['producers', () => this.#delivery.close()],
      ['admin', () => this.#admin.disconnect()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.#logger.error(`closing ${name} failed`, { error: errorMessage(error) });
      }
    }
    if (this.#fatal === undefined) this.#health.set('consumer', 'error', 'stopped');
    this.#logger.info('consumer stopped', { fatal: this.#fatal?.message });
    this.#resolveDone(
      this.#fatal === undefined ? { kind: 'stopped' } : { kind: 'failed', error: this.#fatal },
    );
  }

  async #refreshLag(): Promise<void> {
    if (this.#stopping) return;
    try {
      await refreshLag(this.#admin, this.config.groupId, this.#assigned, this.metrics.lag);
    } catch (error) {
      this.#logger.warn('lag refresh failed', { error: errorMessage(error) });
    }
  }

  #applyGate(change: GateChange): void {
    const group = (tps: readonly TopicPartition[]) =>
      [...new Set(tps.map((tp) => tp.topic))].map((topic) => ({
        topic,
        partitions: tps.filter((tp) => tp.topic === topic).map((tp) => tp.partition),
      }));
    if (change.pause.length > 0) {
      this.#logger.debug('pausing partitions (backpressure)', { partitions: change.pause });
      this.metrics.pauses.inc({ group: this.config.groupId }, change.pause.length);
      this.#consumer.pause(group(change.pause));
    }
    if (change.resume.length > 0) {
      this.#logger.debug('resuming partitions', { partitions: change.resume });
      this.#consumer.resume(group(change.resume));
    }
  }
}
