import type { Admin, Consumer, EachBatchPayload, KafkaMessage, logLevel } from 'kafkajs';
import {
  createLogger,
  createServiceKafka,
  CsError,
  errorMessage,
  filteredThrough,
  HealthState,
  startHttpEndpoint,
  type HealthReport,
  type HttpEndpoint,
  type Logger,
} from '@cs/runtime';
import {
  createCodec,
  createSchemaRegistry,
  ensureTopics,
  registerSchemas,
  type TopicCatalog,
} from '@cs/schemas';
import { PartitionBatcher } from './batch-range.js';
import { createClickHouseWriter, type FactWriter } from './clickhouse-writer.js';
import type { SinkConfig } from './config.js';
import { fetchPartitionStarts, refreshLag, type TopicPartition } from './kafka-helpers.js';
import { PartitionLane, type CommitRequest } from './partition-lane.js';
import { retryUntilDone } from './retry-loop.js';
import { createRowBuilder, sinkTopics, type TopicKind } from './row-builder.js';
import { createSinkMetrics, type SinkMetrics } from './sink-metrics.js';

export type SinkErrorCode = 'SINK_CRASHED' | 'COMMIT_UNCONFIRMED' | 'UNKNOWN_TOPIC';

export interface SinkOptions {
  readonly config: SinkConfig;
  /** The topics (prefix included) the processors publish to. */
  readonly catalog: TopicCatalog;
  readonly logger?: Logger;
  /** kafkajs' own log level; WARN by default. */
  readonly kafkaLogLevel?: logLevel;
  /** A writer other than ClickHouse over HTTP (tests). */
  readonly writer?: FactWriter;
  /** While start-up lasts longer, it logs the step it is in, this often (15 s by default). */
  readonly startWarnMs?: number;
}

export type SinkExit =
  { readonly kind: 'stopped' } | { readonly kind: 'failed'; readonly error: Error };

export interface Sink {
  /** Idempotent: stops fetching, inserts and commits what is buffered (up to `drainMs`), leaves. */
  stop(): Promise<void>;
  readonly done: Promise<SinkExit>;
  health(): HealthReport;
  readonly metrics: SinkMetrics;
  readonly httpPort: number | undefined;
}

const TICK_MS = 50;
const PING_MS = 2_000;
const START_WARN_MS = 15_000;
const LAG_MS = 15_000;

/** Connects, registers schemas, joins the group and starts writing; resolves once consuming. */
export async function startSink(options: SinkOptions): Promise<Sink> {
  const sink = new KafkaClickHouseSink(options);
  try {
    await sink.start();
  } catch (error) {
    await sink.stop();
    throw error;
  }
  return sink;
}

class KafkaClickHouseSink implements Sink {
  readonly metrics = createSinkMetrics();
  readonly done: Promise<SinkExit>;
  readonly #config: SinkConfig;
  readonly #health = new HealthState();
  readonly #logger: Logger;
  readonly #topics: Map<string, TopicKind>;
  readonly #writer: FactWriter;
  readonly #admin: Admin;
  readonly #consumer: Consumer;
  #resolveDone: (exit: SinkExit) => void = () => undefined;
  #lanes = new Map<string, PartitionLane>();
  /** Batches being written by any lane (see PartitionLane: an idle sink may cut batches early). */
  readonly #writing = { count: 0 };
  #lanesReady: Promise<Map<string, PartitionLane>> = Promise.resolve(
    new Map<string, PartitionLane>(),
  );
  #assigned: TopicPartition[] = [];
  #paused = new Set<string>();
  #generation = 0;
  #stopping = false;
  #fatal: Error | undefined;
  #http: HttpEndpoint | undefined;
  #timers: NodeJS.Timeout[] = [];
  #shutdown: Promise<void> | undefined;
  #buildRows: ReturnType<typeof createRowBuilder> | undefined;
  #commitSeq = 0;
  readonly #confirmed = new Map<string, { offset: string; metadata: string | null; seq: number }>();

  constructor(private readonly options: SinkOptions) {
    this.#config = options.config;
    this.#logger = (options.logger ?? createLogger({ component: 'sink' })).child({
      group: options.config.groupId,
    });
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    this.#topics = sinkTopics(options.catalog);
    this.#writer =
      options.writer ??
      createClickHouseWriter({ ...this.#config.clickhouse, database: this.#config.factsDatabase });
    const kafka = createServiceKafka({
      clientId: this.#config.clientId,
      brokers: this.#config.brokers,
      logger: this.#logger,
      logLevel: options.kafkaLogLevel,
    });
    this.#admin = kafka.admin();
    this.#consumer = kafka.consumer({
      groupId: this.#config.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      sessionTimeout: this.#config.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.max(500, Math.floor((this.#config.sessionTimeoutMs ?? 30_000) / 10)),
      // NOTE: the processors publish transactionally: an aborted record must never be stored.
      readUncommitted: false,
    });
    this.#health.set('group', 'degraded', 'not yet joined');
  }

  get httpPort(): number | undefined {
    return this.#http?.port;
  }

  health(): HealthReport {
    return this.#health.report();
  }

  async start(): Promise<void> {
    // NOTE: /healthz answers from the first step on, so a start-up that hangs further on would look
    // up from outside; it says which step it is in instead, every START_WARN_MS.
    let step = 'metrics endpoint';
    const started = Date.now();
    const watchdog = setInterval(() => {
      this.#logger.warn('start-up is slow', {
        step,
        seconds: Math.round((Date.now() - started) / 1000),
      });
    }, this.options.startWarnMs ?? START_WARN_MS);
    watchdog.unref();
    try {
      await this.#start((next) => (step = next));
    } finally {
      clearInterval(watchdog);
    }
  }

  async #start(step: (name: string) => void): Promise<void> {
    const config = this.#config;
    if (config.metricsPort !== null) {
      this.#http = await startHttpEndpoint({
        port: config.metricsPort,
        health: () => this.health(),
        metrics: () => this.metrics.consumer.registry.format(),
      });
    }
    step('registering schemas');
    const registry = createSchemaRegistry({ host: config.schemaRegistryUrl });
    const ids = await registerSchemas(registry, this.options.catalog);
    this.#buildRows = createRowBuilder(createCodec(registry, ids), this.#topics);
    step('connecting to Kafka');
    await this.#admin.connect();
    step('creating topics');
    await ensureTopics(this.#admin, this.options.catalog);
    this.#consumer.on(this.#consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const { topic, partitions } of payload.topics) {
        for (const item of partitions as Array<{
          partition: number;
          offset: unknown;
          metadata?: string | null;
        }>) {
          this.#commitSeq += 1;
          this.#confirmed.set(`${topic}:${item.partition}`, {
            offset: String(item.offset),
            metadata: item.metadata ?? null,
            seq: this.#commitSeq,
          });
        }
      }
    });
    this.#consumer.on(this.#consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const through = filteredThrough(payload);
      if (through !== undefined)
        void this.#passFiltered(payload.topic, payload.partition, through, payload.highWatermark);
    });
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      this.#onAssigned(assigned);
    });
    this.#consumer.on(this.#consumer.events.REBALANCING, () => {
      // Stop every step at once: the next owner re-forms any recorded range.
      this.#health.set('group', 'degraded', 'rebalancing');
      for (const lane of this.#lanes.values()) void lane.close();
    });
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      for (const lane of this.#lanes.values()) void lane.close();
      if (payload.restart) {
        this.#health.set(
          'crash',
          'degraded',
          `consumer restarting after: ${payload.error.message}`,
        );
        return;
      }
      this.#halt(
        new CsError<SinkErrorCode>('SINK_CRASHED', payload.error.message, { cause: payload.error }),
      );
    });
    step('joining the consumer group');
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [...this.#topics.keys()], fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
    this.#timers.push(setInterval(() => this.#tick(), TICK_MS));
    this.#timers.push(setInterval(() => void this.#ping(), PING_MS));
    this.#timers.push(setInterval(() => void this.#refreshLag(), LAG_MS));
    for (const timer of this.#timers) timer.unref();
    this.#logger.info('sink consuming', {
      topics: [...this.#topics.keys()],
      database: config.factsDatabase,
      batchRows: config.batchRows,
      batchMs: config.batchMs,
    });
  }

  stop(): Promise<void> {
    return (this.#shutdown ??= this.#close());
  }

  #onAssigned(assigned: TopicPartition[]): void {
    const generation = ++this.#generation;
    this.#assigned = assigned;
    const previous = [...this.#lanes.values()];
    this.#lanes = new Map();
    this.#paused.clear();
    const closing = Promise.all(previous.map((lane) => lane.close()));
    this.#lanesReady = (async () => {
      // NOTE: a step of a previous lane still in flight could otherwise record or insert a range
      // after this lane has read the committed state; wait for it to end first.
      await closing;
      const starts = await retryUntilDone(
        () => fetchPartitionStarts(this.#admin, this.#config.groupId, assigned),
        {
          policy: this.#config.retry,
          abandoned: () => this.#generation !== generation || this.#stopping,
          onFailure: (error) => this.#logger.warn('reading committed offsets failed', { error }),
        },
      );
      const lanes = new Map<string, PartitionLane>();
      for (const tp of assigned) {
        const key = `${tp.topic}:${tp.partition}`;
        const start = starts.get(key) ?? { committed: '0', pending: undefined };
        lanes.set(key, this.#lane(tp, start.committed, start.pending));
        if (start.pending !== undefined) {
          this.#logger.info('re-forming a recorded range', { ...tp, ...start.pending });
        }
      }
      if (this.#generation === generation) this.#lanes = lanes;
      this.#health.clear('group');
      this.#health.clear('crash');
      this.#logger.info('partitions assigned', { assigned });
      void this.#refreshLag();
      return lanes;
    })();
    this.#lanesReady.catch((error: unknown) => {
      if (this.#generation === generation && !this.#stopping) {
        this.#logger.error('assignment failed', { error });
      }
    });
  }

  #lane(
    tp: TopicPartition,
    committed: string,
    pending: PartitionBatcher<KafkaMessage>['pending'],
  ): PartitionLane {
    const kind = this.#topics.get(tp.topic);
    const buildRows = this.#buildRows;
    if (kind === undefined || buildRows === undefined) {
      throw new CsError('UNKNOWN_TOPIC', `not a sink topic: ${tp.topic}`);
    }
    return new PartitionLane({
      ...tp,
      table: kind.table,
      groupId: this.#config.groupId,
      batcher: new PartitionBatcher<KafkaMessage>(committed, pending, {
        maxRows: this.#config.batchRows,
        maxWaitMs: this.#config.batchMs,
        ...(this.#config.idleBatchMs ? { idleWaitMs: this.#config.idleBatchMs } : {}),
      }),
      buildRows,
      writer: this.#writer,
      commit: (request) => this.#commit(request),
      metrics: this.metrics,
      health: this.#health,
      logger: this.#logger,
      retry: this.#config.retry,
      draining: () => this.#stopping,
      writing: this.#writing,
      onCommitted: () => this.#tick(),
    });
  }

  /**
   * One offset commit, confirmed.
   * NOTE: kafkajs' commitOffsets returns WITHOUT committing (and without an error) while its runner
   * is not running — during a crash-restart, for instance. A range recorded only in our minds
   * would let rows reach ClickHouse under a token no later run forms again, so a commit counts
   * only when kafkajs reported it done (its COMMIT_OFFSETS event, emitted before it returns).
   */
  async #commit(request: CommitRequest): Promise<void> {
    const key = `${request.topic}:${request.partition}`;
    const before = this.#commitSeq;
    await this.#consumer.commitOffsets([request]);
    const seen = this.#confirmed.get(key);
    if (
      seen === undefined ||
      seen.seq <= before ||
      seen.offset !== request.offset ||
      seen.metadata !== request.metadata
    ) {
      throw new CsError<SinkErrorCode>(
        'COMMIT_UNCONFIRMED',
        `offset commit of ${key} at ${request.offset} was not confirmed (consumer not running)`,
        { retriable: true },
      );
    }
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    // A batch emptied by filtering never gets here (kafkajs 2.2): see filteredThrough.
    if (this.#stopping || batch.messages.length === 0) return;
    const lanes = await this.#lanesReady;
    const key = `${batch.topic}:${batch.partition}`;
    const lane = lanes.get(key);
    // A batch of a revoked partition (or fetched before a rebalance): not ours, not resolved.
    // (The sink may have begun stopping while this batch waited for the lanes.)
    if (lane === undefined || lane.closed || this.#lanes.get(key) !== lane || this.#isStopping()) {
      return;
    }
    const last = lane.add(batch.messages, batch.highWatermark, Date.now());
    if (last !== undefined) {
      // NOTE: offsets after the last record are control records (a transaction's commit marker)
      // or aborted records, filtered out by kafkajs: the lane commits past them (else a lag of 1
      // stays behind every transaction). kafkajs does not fetch them again once resolved.
      const through = batch.lastOffset();
      const passed = BigInt(through) > BigInt(last);
      if (passed) lane.pass(through, batch.highWatermark);
      // NOTE: resolving only moves kafkajs' fetch position; with autoCommit off nothing is
      // committed until the lane has inserted the batch.
      payload.resolveOffset(passed ? through : last);
    }
    if (lane.buffered >= this.#maxBuffered() && !this.#paused.has(key)) {
      this.#paused.add(key);
      this.#consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    }
  }

  /** See filteredThrough: the lane commits past the filtered offsets once it is idle. */
  async #passFiltered(
    topic: string,
    partition: number,
    lastOffset: string,
    highWatermark: string,
  ): Promise<void> {
    if (this.#stopping) return;
    const key = `${topic}:${partition}`;
    try {
      const lanes = await this.#lanesReady;
      const lane = lanes.get(key);
      // As in #eachBatch: a revoked partition's next owner fetches the marker again.
      if (
        lane === undefined ||
        lane.closed ||
        this.#lanes.get(key) !== lane ||
        this.#isStopping()
      ) {
        return;
      }
      lane.pass(lastOffset, highWatermark);
    } catch (error) {
      // The assignment failed (logged there); the next owner fetches the marker again.
      this.#logger.debug('passing filtered offsets skipped', { key, error: errorMessage(error) });
    }
  }

  #isStopping(): boolean {
    return this.#stopping;
  }

  /** Per partition, this many records may wait (two batches): beyond it the partition is paused. */
  #maxBuffered(): number {
    return this.#config.batchRows * 2;
  }

  #tick(): void {
    let buffered = 0;
    for (const [key, lane] of this.#lanes) {
      lane.kick();
      buffered += lane.buffered;
      if (this.#paused.has(key) && lane.buffered < this.#maxBuffered() / 2 && !this.#stopping) {
        this.#paused.delete(key);
        const [topic, partition] = [
          key.slice(0, key.lastIndexOf(':')),
          Number(key.slice(key.lastIndexOf(':') + 1)),
        ];
        this.#consumer.resume([{ topic, partitions: [partition] }]);
      }
    }
    this.metrics.buffered.set({ group: this.#config.groupId }, buffered);
  }

  async #ping(): Promise<void> {
    try {
      if (await this.#writer.ping()) {
        this.#health.clear('clickhouse-ping');
        return;
      }
      this.#health.set('clickhouse-ping', 'degraded', 'ClickHouse does not answer /ping');
    } catch (error) {
      this.#health.set(
        'clickhouse-ping',
        'degraded',
        `ClickHouse unreachable: ${errorMessage(error)}`,
      );
    }
  }

  async #refreshLag(): Promise<void> {
    if (this.#stopping) return;
    try {
      await refreshLag(
        this.#admin,
        this.#config.groupId,
        this.#assigned,
        this.metrics.consumer.lag,
      );
    } catch (error) {
      this.#logger.warn('lag refresh failed', { error: errorMessage(error) });
    }
  }

  #halt(error: Error): void {
    if (this.#fatal !== undefined) return;
    this.#fatal = error;
    this.#health.set('consumer', 'error', error.message);
    this.#logger.error('sink halted', { error });
    void this.stop();
  }

  async #close(): Promise<void> {
    this.#stopping = true;
    const lanes = [...this.#lanes.values()];
    if (this.#assigned.length > 0) {
      try {
        const topics = [...new Set(this.#assigned.map((tp) => tp.topic))];
        this.#consumer.pause(topics.map((topic) => ({ topic })));
      } catch (error) {
        this.#logger.debug('pause on stop failed', { error: errorMessage(error) });
      }
    }
    // Drain: buffered records are cut into final batches and written while Kafka and ClickHouse
    // answer; whatever is left after drainMs stays uncommitted and is fetched again next time.
    let drained = false;
    await Promise.race([
      Promise.all(lanes.map((lane) => lane.idle())).then(() => (drained = true)),
      new Promise((resolve) => setTimeout(resolve, this.#config.drainMs).unref()),
    ]);
    await Promise.all(lanes.map((lane) => lane.close()));
    for (const timer of this.#timers) clearInterval(timer);
    const steps: Array<[string, () => Promise<void>]> = [
      ['consumer', () => this.#consumer.disconnect()],
      ['admin', () => this.#admin.disconnect()],
      ['clickhouse', () => this.#writer.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.#logger.error(`closing ${name} failed`, { error: errorMessage(error) });
      }
    }
    if (this.#fatal === undefined) this.#health.set('consumer', 'error', 'stopped');
    await this.#http?.close();
    this.#logger.info('sink stopped', { drained, fatal: this.#fatal?.message });
    this.#resolveDone(
      this.#fatal === undefined ? { kind: 'stopped' } : { kind: 'failed', error: this.#fatal },
    );
  }
}
