import { z } from 'zod';
import { parseEnv } from '../config.js';

const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_", "-"');

/** The consumer shell's configuration; `ConsumerConfig` is inferred from it. */
export const consumerConfigSchema = z.object({
  brokers: z
    .array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'host:port'))
    .min(1, 'at least one broker'),
  clientId: z.string().min(1),
  groupId: z.string().min(1),
  topics: z.array(topicName).min(1, 'at least one topic'),
  dlqTopic: topicName,
  /** `exactly-once`: outputs, changelog and input offsets in one Kafka transaction per batch. */
  mode: z.enum(['at-least-once', 'exactly-once']).default('at-least-once'),
  /** Records fetched and not yet committed, across partitions, before partitions are paused. */
  maxInFlight: z.number().int().positive().default(1000),
  /** Records handled between two deliveries+commits inside one fetched batch. */
  commitEvery: z.number().int().positive().default(500),
  /**
   * Partitions handled at the same time (each one strictly in order, each in its own transaction).
   * 3, not 1: a partition's batch spends most of its time waiting for the broker (produce acks and
   * the 4+ round trips of its transaction), and one at a time made every partition wait for the
   * others' transactions. In the e2e bench at half load, 1 → 3 took the p99 from a marker's ack to
   * the enricher's output from 3.4 s to 0.8 s (docs/architecture.md, Performance).
   */
  partitionsConcurrently: z.number().int().positive().default(3),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).default(5),
      initialDelayMs: z.number().int().min(0).default(200),
      maxDelayMs: z.number().int().min(0).default(10_000),
      multiplier: z.number().min(1).default(2),
      onExhausted: z.enum(['dlq', 'stop']).default('dlq'),
    })
    .prefault({}),
  /** HTTP port of /healthz and /metrics; 0 picks a free one. */
  metricsPort: z.number().int().min(0).max(65535).default(9464),
  /** How often lag is read from the brokers (it is also updated after every batch). */
  lagIntervalMs: z.number().int().positive().default(15_000),
  /** Prefix of the per-partition transactional ids (exactly-once); the group id by default. */
  transactionalIdPrefix: z.string().min(1).optional(),
  /** Off: topics are provisioned, never created by a typo (and a missing DLQ topic fails loudly). */
  allowAutoTopicCreation: z.boolean().default(false),
  /**
   * Retries of one produce/transaction step before the batch fails (and is delivered again); the
   * first after PRODUCER_FIRST_RETRY_MS, then doubling (9: ~10 s in all).
   */
  producerRetries: z.number().int().min(1).default(9),
  sessionTimeoutMs: z.number().int().positive().default(30_000),
  heartbeatIntervalMs: z.number().int().positive().default(3_000),
  maxWaitTimeMs: z.number().int().positive().default(500),
});

export type ConsumerConfig = z.infer<typeof consumerConfigSchema>;
/** What callers pass: defaults may be left out. */
export type ConsumerConfigInput = z.input<typeof consumerConfigSchema>;

const csv = (inner: z.ZodType<string[]>) =>
  z.preprocess(
    (raw) =>
      typeof raw === 'string'
        ? raw
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item.length > 0)
        : raw,
    inner,
  );
const int = (inner: z.ZodNumber) => z.coerce.number().pipe(inner);
const shape = consumerConfigSchema.shape;
const retryShape = shape.retry.unwrap().shape;

/**
 * The env var of each setting. Validation lives on the env keys themselves, so an error names the
 * variable, the value given and what is allowed (see parseEnv).
 */
const consumerEnvSchema = z
  .object({
    KAFKA_BROKERS: csv(shape.brokers),
    KAFKA_CLIENT_ID: shape.clientId,
    CONSUMER_GROUP_ID: shape.groupId,
    CONSUMER_TOPICS: csv(shape.topics),
    DLQ_TOPIC: shape.dlqTopic,
    DELIVERY_MODE: shape.mode,
    MAX_IN_FLIGHT: int(z.number().int().positive()).optional(),
    COMMIT_EVERY: int(z.number().int().positive()).optional(),
    PARTITIONS_CONCURRENTLY: int(z.number().int().positive()).optional(),
    RETRY_MAX_ATTEMPTS: int(z.number().int().min(1)).optional(),
    RETRY_INITIAL_DELAY_MS: int(z.number().int().min(0)).optional(),
    RETRY_MAX_DELAY_MS: int(z.number().int().min(0)).optional(),
    RETRY_EXHAUSTED: retryShape.onExhausted,
    METRICS_PORT: int(z.number().int().min(0).max(65535)).optional(),
    LAG_INTERVAL_MS: int(z.number().int().positive()).optional(),
    TRANSACTIONAL_ID_PREFIX: shape.transactionalIdPrefix,
  })
  .transform((env): ConsumerConfigInput => ({
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    groupId: env.CONSUMER_GROUP_ID,
    topics: env.CONSUMER_TOPICS,
    dlqTopic: env.DLQ_TOPIC,
    mode: env.DELIVERY_MODE,
    maxInFlight: env.MAX_IN_FLIGHT,
    commitEvery: env.COMMIT_EVERY,
    partitionsConcurrently: env.PARTITIONS_CONCURRENTLY,
    retry: {
      maxAttempts: env.RETRY_MAX_ATTEMPTS,
      initialDelayMs: env.RETRY_INITIAL_DELAY_MS,
      maxDelayMs: env.RETRY_MAX_DELAY_MS,
      onExhausted: env.RETRY_EXHAUSTED,
    },
    metricsPort: env.METRICS_PORT,
    lagIntervalMs: env.LAG_INTERVAL_MS,
    transactionalIdPrefix: env.TRANSACTIONAL_ID_PREFIX,
  }));

/** Env var names the consumer shell reads, for READMEs and `--help`. */
export const CONSUMER_ENV_KEYS = Object.keys(consumerEnvSchema.in.shape);

/** Parses the consumer shell's config from the environment (once, in `main`). */
export function consumerConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
): ConsumerConfig {
  return consumerConfigSchema.parse(parseEnv(consumerEnvSchema, env));
}
