import { kafkaServiceEnv } from '@cs/runtime';
import { z } from 'zod';

/** The enricher service's environment (parsed once, in main, with parseEnv). */
export const enricherEnvSchema = z.object({
  ...kafkaServiceEnv,
  CS_ENRICHER_GROUP_ID: z.string().min(1).default('cs-enricher'),
  // 0 asks the OS for a free port (tests).
  CS_ENRICHER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(18203),
  /** Input records per transaction (outputs + changelog + offsets). */
  CS_ENRICHER_COMMIT_EVERY: z.coerce.number().int().min(1).max(100_000).default(5000),
  /**
   * How long the group waits for a silent member before it moves its partitions (a crashed
   * instance's partitions are idle that long). The heartbeat is a fifth of it, at most 3 s.
   */
  CS_ENRICHER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(3000).max(300_000).default(30_000),
  /** How long one partition's changelog restore may take before it is retried. */
  CS_ENRICHER_RESTORE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(20_000),
  /** How long start-up may take to read the account and user tables to their end. */
  CS_ENRICHER_TABLES_TIMEOUT_MS: z.coerce.number().int().min(1000).default(300_000),
  /**
   * The account hierarchy's event-time horizon, per tenant: account records within this many hours
   * of the tenant's newest account record are replayed in (ts, id) order; older ones are folded
   * into the state at the horizon start, and a record arriving that old is applied as it arrives.
   */
  CS_ENRICHER_HIERARCHY_HORIZON_HOURS: z.coerce.number().positive().max(100_000).default(168),
  /**
   * How far V8 lets the heap grow past what the last full GC kept before the next one, in percent
   * (V8's `--heap-growing-percent`, set by main at start). V8's own heuristic lets a large heap
   * grow up to 4× its live size: with the enricher's steady stream of short-lived records promoted
   * while their transaction is open, that garbage, not the tables, was most of its RSS. 0 leaves
   * V8's heuristic.
   */
  CS_ENRICHER_HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(300).default(50),
});

export type EnricherEnv = z.infer<typeof enricherEnvSchema>;
