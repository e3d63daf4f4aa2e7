import { z } from 'zod';
import { CsError } from './errors.js';

/**
 * Parses configuration from the environment once, in `main`, with a zod schema whose keys are the
 * env var names. A bad value fails with one message naming every bad key, the value given and
 * what is allowed; values of keys that look like secrets are never echoed.
 */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    // NOTE: the env var is the first path element; deeper elements point inside its parsed value
    // (e.g. the second broker of KAFKA_BROKERS), which is worth naming too.
    const key = String(issue.path[0] ?? '');
    const inner =
      issue.path.length > 1 ? ` (item ${issue.path.slice(1).map(String).join('.')})` : '';
    const raw = env[key];
    const shown =
      raw === undefined
        ? '(unset)'
        : /secret|password|token|key$/i.test(key)
          ? '[redacted]'
          : JSON.stringify(raw);
    return `${key}=${shown}${inner}: ${issue.message}`;
  });
  throw new CsError('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
}

/** A TCP port given as a string in the environment. */
export const portSchema = z.coerce.number().int().min(1).max(65535);

/** A comma-separated broker list `host:port,…` (`KAFKA_BROKERS`), the local stack's by default. */
export const brokerListSchema = z
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
      .array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'each broker must be host:port'))
      .min(1, 'at least one broker host:port'),
  );

/**
 * The environment every service on Kafka reads, to spread into its own schema: the brokers, the
 * schema registry, the tenants file and the topic prefix (defaults: the local stack of npm start).
 */
export const kafkaServiceEnv = {
  KAFKA_BROKERS: brokerListSchema,
  SCHEMA_REGISTRY_URL: z.url().default('http://127.0.0.1:18081/apis/ccompat/v7'),
  // Unset: config/tenants.json at the repo root (see @cs/tenants).
  CS_TENANTS_FILE: z.string().optional(),
  CS_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
    .default(''),
};
