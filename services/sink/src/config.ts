import { z } from 'zod';
import { brokerListSchema, parseEnv } from '@cs/runtime';

const int = (inner: z.ZodNumber) => z.coerce.number().pipe(inner);

/** The sink's configuration from the environment (parsed once, in main). */
export const sinkEnvSchema = z.object({
  KAFKA_BROKERS: brokerListSchema,
  KAFKA_CLIENT_ID: z.string().min(1).default('cs-sink'),
  SCHEMA_REGISTRY_URL: z.url(),
  CLICKHOUSE_URL: z.url().default('http://127.0.0.1:18123'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CS_FACTS_DATABASE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'a database name: lower-case letters, digits and "_"')
    .default('cs_facts'),
  CS_SINK_GROUP: z.string().min(1).default('cs-sink'),
  CS_SINK_BATCH_ROWS: int(z.number().int().min(1).max(1_000_000)).default(10_000),
  CS_SINK_BATCH_MS: int(z.number().int().min(1).max(600_000)).default(1_000),
  CS_SINK_IDLE_BATCH_MS: int(z.number().int().min(0).max(600_000)).default(100),
  CS_SINK_RETRY_INITIAL_MS: int(z.number().int().min(1)).default(200),
  CS_SINK_RETRY_MAX_MS: int(z.number().int().min(1)).default(10_000),
  CS_SINK_DRAIN_MS: int(z.number().int().min(0)).default(10_000),
  CS_SINK_SESSION_TIMEOUT_MS: int(z.number().int().min(1000)).default(30_000),
  // 18204: where `cs status` looks for the sink's /healthz.
  METRICS_PORT: int(z.number().int().min(0).max(65535)).default(18204),
});

export type SinkEnv = z.infer<typeof sinkEnvSchema>;

export interface SinkConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly schemaRegistryUrl: string;
  readonly clickhouse: {
    readonly url: string;
    readonly username: string;
    readonly password: string;
  };
  readonly factsDatabase: string;
  readonly groupId: string;
  readonly batchRows: number;
  readonly batchMs: number;
  /**
   * A batch may be cut after this long when the sink is writing nothing else (0: never early,
   * only after `batchMs`).
   */
  readonly idleBatchMs?: number;
  readonly retry: {
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
    readonly multiplier: number;
  };
  /** How long `stop()` keeps inserting what is buffered before it leaves the rest uncommitted. */
  readonly drainMs: number;
  /** Group session timeout: how long a dead sink holds its partitions before a rebalance. */
  readonly sessionTimeoutMs?: number;
  /** 0 picks a free port; `null` serves no HTTP endpoint. */
  readonly metricsPort: number | null;
}

export function sinkConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
): SinkConfig {
  const parsed = parseEnv(sinkEnvSchema, env);
  return {
    brokers: parsed.KAFKA_BROKERS,
    clientId: parsed.KAFKA_CLIENT_ID,
    schemaRegistryUrl: parsed.SCHEMA_REGISTRY_URL,
    clickhouse: {
      url: parsed.CLICKHOUSE_URL,
      username: parsed.CLICKHOUSE_USER,
      password: parsed.CLICKHOUSE_PASSWORD,
    },
    factsDatabase: parsed.CS_FACTS_DATABASE,
    groupId: parsed.CS_SINK_GROUP,
    batchRows: parsed.CS_SINK_BATCH_ROWS,
    batchMs: parsed.CS_SINK_BATCH_MS,
    idleBatchMs: parsed.CS_SINK_IDLE_BATCH_MS,
    retry: {
      initialDelayMs: parsed.CS_SINK_RETRY_INITIAL_MS,
      maxDelayMs: parsed.CS_SINK_RETRY_MAX_MS,
      multiplier: 2,
    },
    drainMs: parsed.CS_SINK_DRAIN_MS,
    sessionTimeoutMs: parsed.CS_SINK_SESSION_TIMEOUT_MS,
    metricsPort: parsed.METRICS_PORT,
  };
}
