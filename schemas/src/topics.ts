import type { Admin, ITopicConfig } from 'kafkajs';
import { z } from 'zod';
import { CsError, parseEnv } from '@cs/runtime';
import { generationEnvSchema, generationSuffix } from './generation.js';
import {
  EVENT_TYPES,
  type CanonicalEvent,
  type EventRecord,
  type EventType,
  type SchemaName,
} from './generated/index.js';

/**
 * The topic catalog: which topic each schema lives on, how it is keyed and created, and its
 * registry subject. A prefix isolates a deployment or a test run (`t_abc_cs.raw.usage`).
 */

export interface TopicSpec {
  /** The schema whose records the topic carries. */
  schema: SchemaName;
  name: string;
  /** Registry subject (TopicNameStrategy): `${name}-value`. */
  subject: string;
  partitions: number;
  replicationFactor: number;
  /** Kafka topic configs, e.g. `retention.ms`. */
  config: Record<string, string>;
}

export interface TopicCatalog {
  raw: Record<EventType, TopicSpec>;
  /** What the stream processors publish for the sink (`cs.derived.<name>`). */
  derived: Record<DerivedName, TopicSpec>;
  deadLetter: TopicSpec;
  /** The prefix of every topic name (`''` in production). */
  prefix: string;
  /** The pipeline generation whose derived topics these are (see generation.ts). */
  generation: number;
  /** A processor's own topic (changelog, repartition) in this prefix and generation. */
  internalTopic(name: string): string;
  /** Every topic: raw, then derived, then the dead-letter topic. */
  all: TopicSpec[];
  /** The topic of a schema. */
  forSchema(schema: SchemaName): TopicSpec;
}

export interface TopicCatalogOptions {
  /** Put before every topic name; `''` in production, a unique name per test run. */
  prefix?: string;
  /** Small by default: one machine; raise it to scale consumers out. */
  partitions?: number;
  replicationFactor?: number;
  /** Raw topics are the log of record (every figure is rebuilt from them): -1 keeps them forever. */
  rawRetentionMs?: number;
  deadLetterRetentionMs?: number;
  /** Derived topics can be rebuilt from the raw ones; the sink only needs what it has not stored. */
  derivedRetentionMs?: number;
  /**
   * The pipeline generation: derived and dead-letter topic names get its suffix (`.g<n>`, none
   * for 0); raw topics never do.
   */
  generation?: number;
}

export const DEFAULT_TOPIC_OPTIONS: Required<TopicCatalogOptions> = {
  prefix: '',
  partitions: 3,
  replicationFactor: 1,
  rawRetentionMs: -1,
  deadLetterRetentionMs: 30 * 24 * 3_600_000,
  derivedRetentionMs: 7 * 24 * 3_600_000,
  generation: 0,
};

export const DEAD_LETTER_TOPIC = 'cs.dlq';

export function rawTopicName(type: EventType): string {
  return `cs.raw.${type}`;
}

/** A derived topic's key and producer; `topic` overrides the name `cs.derived.<name>`. */
export interface DerivedTopic {
  readonly key: string;
  readonly producer: string;
  readonly topic?: string;
}

/**
 * The derived topics (stream-processor outputs the sink stores), each carried by the schema
 * `derived-<name>` and keyed as its producer keys it: per user where per-user order matters
 * (sessions, time, usage), per account for entities and billing.
 */
export const DERIVED_TOPICS = {
  'time-slice': { key: 'tenant/userId', producer: 'sessionizer' },
  session: { key: 'tenant/userId', producer: 'sessionizer' },
  // NOTE: the sessionizer published late events on `cs.derived.late-events` (plural) before the
  // schema moved here; the name stays so existing topics, subjects and consumers keep working.
  'late-event': {
    key: 'tenant/userId',
    producer: 'sessionizer',
    topic: 'cs.derived.late-events',
  },
  'enriched-usage': { key: 'tenant/userId', producer: 'enricher' },
  'account-state': { key: 'tenant/accountId', producer: 'enricher' },
  'user-state': { key: 'tenant/accountId', producer: 'enricher' },
  'hierarchy-edge': { key: 'tenant/accountId', producer: 'enricher' },
  'mrr-movement': { key: 'tenant/accountId', producer: 'billing' },
  'account-mrr': { key: 'tenant/accountId', producer: 'billing' },
  'invoice-state': { key: 'tenant/accountId', producer: 'billing' },
  'ticket-state': { key: 'tenant/accountId', producer: 'billing' },
} as const satisfies Record<string, DerivedTopic>;

export type DerivedName = keyof typeof DERIVED_TOPICS;
export const DERIVED_NAMES = Object.keys(DERIVED_TOPICS) as DerivedName[];
export type DerivedSchemaName = `derived-${DerivedName}`;

export function derivedTopicName(name: DerivedName): string {
  const spec: DerivedTopic = DERIVED_TOPICS[name];
  return spec.topic ?? `cs.derived.${name}`;
}

export function derivedSchemaName(name: DerivedName): DerivedSchemaName {
  return `derived-${name}`;
}

/** TopicNameStrategy: the value schema of topic T is registered under `T-value`. */
export function subjectFor(topic: string): string {
  return `${topic}-value`;
}

export function topicCatalog(options: TopicCatalogOptions = {}): TopicCatalog {
  const settings = { ...DEFAULT_TOPIC_OPTIONS, ...options };
  const suffix = generationSuffix(settings.generation);
  const spec = (schema: SchemaName, name: string, retentionMs: number): TopicSpec => {
    // Raw topics are the log of record, shared by every generation; the rest is derived from them.
    const derivedFromRaw = schema.startsWith('derived-') || schema === 'dead-letter';
    const full = `${settings.prefix}${name}${derivedFromRaw ? suffix : ''}`;
    return {
      schema,
      name: full,
      subject: subjectFor(full),
      partitions: settings.partitions,
      replicationFactor: settings.replicationFactor,
      config: { 'retention.ms': String(retentionMs) },
    };
  };
  const raw = Object.fromEntries(
    EVENT_TYPES.map((type) => [type, spec(type, rawTopicName(type), settings.rawRetentionMs)]),
  ) as Record<EventType, TopicSpec>;
  const derived = Object.fromEntries(
    DERIVED_NAMES.map((name) => [
      name,
      spec(derivedSchemaName(name), derivedTopicName(name), settings.derivedRetentionMs),
    ]),
  ) as Record<DerivedName, TopicSpec>;
  const deadLetter = spec('dead-letter', DEAD_LETTER_TOPIC, settings.deadLetterRetentionMs);
  const bySchema = new Map<SchemaName, TopicSpec>(
    [...Object.values(raw), ...Object.values(derived), deadLetter].map((topic) => [
      topic.schema,
      topic,
    ]),
  );
  return {
    raw,
    derived,
    deadLetter,
    prefix: settings.prefix,
    generation: settings.generation,
    internalTopic: (name) => `${settings.prefix}${name}${suffix}`,
    all: [
      ...EVENT_TYPES.map((type) => raw[type]),
      ...DERIVED_NAMES.map((name) => derived[name]),
      deadLetter,
    ],
    forSchema: (schema) => {
      const topic = bySchema.get(schema);
      if (topic === undefined) throw new Error(`no topic carries schema ${schema}`);
      return topic;
    },
  };
}

const envSchema = generationEnvSchema.extend({
  CS_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
    .default(''),
  CS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  CS_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  CS_RAW_RETENTION_MS: z.coerce.number().int().min(-1).default(-1),
  CS_DLQ_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(-1)
    .default(DEFAULT_TOPIC_OPTIONS.deadLetterRetentionMs),
  CS_DERIVED_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(-1)
    .default(DEFAULT_TOPIC_OPTIONS.derivedRetentionMs),
});

/**
 * The catalog configured by `CS_TOPIC_PREFIX`, `CS_TOPIC_PARTITIONS`, `CS_PIPELINE_GENERATION`, …
 * (all optional).
 */
export function topicCatalogFromEnv(
  env: Record<string, string | undefined> = process.env,
): TopicCatalog {
  const config = parseEnv(envSchema, env);
  return topicCatalog({
    prefix: config.CS_TOPIC_PREFIX,
    partitions: config.CS_TOPIC_PARTITIONS,
    replicationFactor: config.CS_TOPIC_REPLICATION_FACTOR,
    rawRetentionMs: config.CS_RAW_RETENTION_MS,
    deadLetterRetentionMs: config.CS_DLQ_RETENTION_MS,
    derivedRetentionMs: config.CS_DERIVED_RETENTION_MS,
    generation: config.CS_PIPELINE_GENERATION,
  });
}

const DEFAULT_CATALOG = topicCatalog();

/** The raw topic an event goes to. */
export function topicFor(
  event: Pick<CanonicalEvent, 'type'>,
  catalog: TopicCatalog = DEFAULT_CATALOG,
): string {
  return catalog.raw[event.type].name;
}

/**
 * The Kafka key of a record: `tenant/userId` for usage (one user's events stay in order on one
 * partition, which sessionizing needs), `tenant/accountId` for everything else (an account's
 * entities and billing stay together).
 */
export function recordKey(type: EventType, record: EventRecord): string {
  if (type === 'usage' && 'userId' in record && typeof record.userId === 'string') {
    return `${record.tenant}/${record.userId}`;
  }
  return `${record.tenant}/${record.accountId}`;
}

/** The Kafka key of a canonical event (see recordKey). */
export function eventKey(event: CanonicalEvent): string {
  return event.type === 'usage'
    ? `${event.tenant}/${event.userId}`
    : `${event.tenant}/${event.accountId}`;
}

export type TopicsErrorCode = 'TOPIC_CREATE_FAILED';

/**
 * Creates the catalog's topics that do not exist yet (idempotent: existing topics are left as
 * they are, whatever their settings). Returns the names it created.
 */
export async function ensureTopics(admin: Admin, catalog: TopicCatalog): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = catalog.all.filter((topic) => !existing.has(topic.name));
  if (missing.length === 0) return [];
  const topics: ITopicConfig[] = missing.map((topic) => ({
    topic: topic.name,
    numPartitions: topic.partitions,
    replicationFactor: topic.replicationFactor,
    configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
  }));
  try {
    // NOTE: createTopics returns false (no throw) when every topic already exists, which is what
    // a concurrent start-up of another process looks like.
    await admin.createTopics({ topics, waitForLeaders: true });
  } catch (error: unknown) {
    const after = new Set(await admin.listTopics());
    if (missing.every((topic) => after.has(topic.name))) return missing.map((topic) => topic.name);
    throw new CsError<TopicsErrorCode>(
      'TOPIC_CREATE_FAILED',
      `could not create topics ${missing.map((topic) => topic.name).join(', ')}`,
      { cause: error, retriable: true },
    );
  }
  return missing.map((topic) => topic.name);
}
