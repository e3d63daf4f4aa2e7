import { kafkaServiceEnv } from '@cs/runtime';
import { z } from 'zod';

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
  /** How long one partition's changelog restore may take before it is retried. */
  CS_SESSIONIZER_RESTORE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
});

export type SessionizerEnv = z.infer<typeof sessionizerEnvSchema>;
