import { parseEnv } from '@cs/runtime';
import { z } from 'zod';

/** Where `cs ingest` publishes: the local stack's Kafka and registry unless configured. */
export const ingestEnvSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:19092')
    .transform((raw) =>
      raw
        .split(',')
        .map((broker) => broker.trim())
        .filter((broker) => broker !== ''),
    )
    .pipe(
      z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port')).min(1, 'at least one host:port'),
    ),
  SCHEMA_REGISTRY_URL: z
    .url({ protocol: /^https?$/ })
    .default('http://127.0.0.1:18081/apis/ccompat/v7'),
});

export type IngestEnv = z.infer<typeof ingestEnvSchema>;

export function parseIngestEnv(env: Record<string, string | undefined>): IngestEnv {
  return parseEnv(ingestEnvSchema, env);
}
