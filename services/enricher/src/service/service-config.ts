import { z } from 'zod';

/** The enricher service's environment (parsed once, in main, with parseEnv). */
export const enricherEnvSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:19092')
    .transform((list) =>
      list
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port'))
        .min(1, 'at least one broker host:port'),
    ),
  SCHEMA_REGISTRY_URL: z.url().default('http://127.0.0.1:18081/apis/ccompat/v7'),
  // Unset: config/tenants.json at the repo root (see @cs/tenants).
  CS_TENANTS_FILE: z.string().optional(),
  CS_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
    .default(''),
  CS_ENRICHER_GROUP_ID: z.string().min(1).default('cs-enricher'),
  // 0 asks the OS for a free port (tests).
  CS_ENRICHER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(18203),
  /** Input records per transaction (outputs + changelog + offsets). */
  CS_ENRICHER_COMMIT_EVERY: z.coerce.number().int().min(1).max(100_000).default(500),
  /** How long one partition's changelog restore may take before it is retried. */
  CS_ENRICHER_RESTORE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(20_000),
  /** How long start-up may take to read the account and user tables to their end. */
  CS_ENRICHER_TABLES_TIMEOUT_MS: z.coerce.number().int().min(1000).default(300_000),
});

export type EnricherEnv = z.infer<typeof enricherEnvSchema>;
