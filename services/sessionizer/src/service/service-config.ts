import { kafkaServiceEnv } from '@cs/runtime';
import { z } from 'zod';
import { DEFAULT_HOT_USERS } from './partition-state.js';

/** The sessionizer service's environment (parsed once, in main, with parseEnv). */
export const sessionizerEnvSchema = z.object({
  ...kafkaServiceEnv,
  CS_SESSIONIZER_GROUP_ID: z.string().min(1).default('cs-sessionizer'),
  // 0 asks the OS for a free port (tests).
  CS_SESSIONIZER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(18201),
  /**
   * Input records per transaction at most (outputs + changelog + offsets); each fetched batch also
   * ends one. A transaction costs several round trips whatever its size, so fewer, larger ones.
   */
  CS_SESSIONIZER_COMMIT_EVERY: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /**
   * The consumer's session timeout: how long a member that died (SIGKILL) holds its partitions
   * before the group moves them. The heartbeat is a fifth of it, at most 3 s.
   */
  CS_SESSIONIZER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(3000).max(300_000).default(30_000),
  /**
   * Users kept decoded per partition after each transaction, the most recently used; every other
   * user is held as its encoding (a few hundred bytes, against several kB decoded) and decoded on
   * its next event. Memory against CPU: see the README (State, restore, eviction).
   */
  CS_SESSIONIZER_HOT_USERS: z.coerce.number().int().min(0).default(DEFAULT_HOT_USERS),
  /**
   * V8's heap growing factor, as 1 + percent / 100, set by main at start (0: V8's own, which lets
   * the heap grow up to 4× what survived the last full GC). The service's garbage is mostly commit
   * units' events and rows that outlive a young-generation GC; at V8's factor they took the RSS to
   * about 3× the live heap, at 50 % it stays near 1.5× for a few % more CPU (see the README).
   */
  CS_SESSIONIZER_HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(300).default(50),
  /** How long one partition's changelog restore may take before it is retried. */
  CS_SESSIONIZER_RESTORE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
});

export type SessionizerEnv = z.infer<typeof sessionizerEnvSchema>;
