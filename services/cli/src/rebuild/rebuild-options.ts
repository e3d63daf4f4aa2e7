import { brokerListSchema, parseEnv } from '@cs/runtime';
import { generationName } from '@cs/schemas';
import { z } from 'zod';
import { UsageError, parseCommandArgs } from '../command.js';

/** The stream services a rebuild replays, upstream first, and their consumer-group env vars. */
export const REPLAYED_SERVICES = [
  { name: 'sessionizer', groupEnv: 'CS_SESSIONIZER_GROUP_ID', defaultGroup: 'cs-sessionizer' },
  { name: 'enricher', groupEnv: 'CS_ENRICHER_GROUP_ID', defaultGroup: 'cs-enricher' },
  { name: 'billing', groupEnv: 'CS_BILLING_GROUP_ID', defaultGroup: 'cs-billing' },
  { name: 'sink', groupEnv: 'CS_SINK_GROUP', defaultGroup: 'cs-sink' },
] as const;

export type ReplayedServiceName = (typeof REPLAYED_SERVICES)[number]['name'];

const DATABASE = /^[a-z_][a-z0-9_]*$/;

export const rebuildEnvSchema = z.object({
  KAFKA_BROKERS: brokerListSchema,
  SCHEMA_REGISTRY_URL: z
    .url({ protocol: /^https?$/ })
    .default('http://127.0.0.1:18081/apis/ccompat/v7'),
  CLICKHOUSE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:18123'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CS_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
    .default(''),
  // Generation-0 names of the groups (what the services default to); a generation adds its suffix.
  CS_SESSIONIZER_GROUP_ID: z.string().min(1).default('cs-sessionizer'),
  CS_ENRICHER_GROUP_ID: z.string().min(1).default('cs-enricher'),
  CS_BILLING_GROUP_ID: z.string().min(1).default('cs-billing'),
  CS_SINK_GROUP: z.string().min(1).default('cs-sink'),
});

export type RebuildEnv = z.infer<typeof rebuildEnvSchema>;

export interface RebuildOptions {
  /** The analyst database; the live facts are `<database>_facts`. */
  database: string;
  /** The fresh databases the replay fills: `<database>_rebuild` and `<database>_rebuild_facts`. */
  scratchDatabase: string;
  timeoutMs: number;
  progressMs: number;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90` (seconds), `90s`, `10m`, `1h`, `500ms`; a UsageError naming the flag otherwise. */
export function parseDuration(flag: string, raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  const match = /^(\d+)(ms|s|m|h)?$/.exec(raw.trim());
  const amount = match === null ? Number.NaN : Number(match[1]);
  const unit = DURATION_UNITS_MS[match?.[2] ?? 's'] ?? 1000;
  if (!Number.isSafeInteger(amount) || amount < 1) {
    throw new UsageError(`--${flag} must be a positive duration (90, 90s, 10m, 1h), got '${raw}'`);
  }
  return amount * unit;
}

export const REBUILD_DEFAULTS = { timeoutMs: 60 * 60_000, progressMs: 5000 } as const;

export function parseRebuildArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): RebuildOptions {
  const { values } = parseCommandArgs(
    argv,
    {
      database: { type: 'string', short: 'd' },
      timeout: { type: 'string' },
      'progress-every': { type: 'string' },
    },
    false,
  );
  const database = values.database ?? env.CLICKHOUSE_DATABASE ?? 'cs';
  if (!DATABASE.test(database) || database.length > 100) {
    throw new UsageError(`--database must match ^[a-z_][a-z0-9_]*$, got '${database}'`);
  }
  return {
    database,
    scratchDatabase: `${database}_rebuild`,
    timeoutMs: parseDuration('timeout', values.timeout, REBUILD_DEFAULTS.timeoutMs),
    progressMs: parseDuration(
      'progress-every',
      values['progress-every'],
      REBUILD_DEFAULTS.progressMs,
    ),
  };
}

export function parseRebuildEnv(env: Record<string, string | undefined>): RebuildEnv {
  return parseEnv(rebuildEnvSchema, env);
}

/** The consumer group of each replayed service in a generation. */
export function groupsOf(env: RebuildEnv, generation: number): Record<ReplayedServiceName, string> {
  return {
    sessionizer: generationName(env.CS_SESSIONIZER_GROUP_ID, generation),
    enricher: generationName(env.CS_ENRICHER_GROUP_ID, generation),
    billing: generationName(env.CS_BILLING_GROUP_ID, generation),
    sink: generationName(env.CS_SINK_GROUP, generation),
  };
}

/**
 * The topics of one generation among `topics`: every `<prefix>cs.*` topic that is neither raw nor
 * the control topic and carries the generation's suffix (generation 0: no `.g<n>` suffix).
 */
export function topicsOfGeneration(
  topics: readonly string[],
  prefix: string,
  generation: number,
): string[] {
  const suffix = generationName('', generation);
  return (
    topics
      .filter((topic) => topic.startsWith(`${prefix}cs.`))
      .filter((topic) => !topic.startsWith(`${prefix}cs.raw.`) && topic !== `${prefix}cs.control`)
      // NOTE: another deployment whose prefix starts like this one (prefix '' and `cs.x_cs.…`) has a
      // second `cs.` in the rest of the name: never ours.
      .filter((topic) => !topic.slice(prefix.length + 3).includes('cs.'))
      .filter((topic) => (generation === 0 ? !/\.g\d+$/.test(topic) : topic.endsWith(suffix)))
      .sort()
  );
}
