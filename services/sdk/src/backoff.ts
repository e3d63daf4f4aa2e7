/**
 * Retry waits: exponential, capped, with "equal jitter" (half fixed, half random) so that many
 * clients failing together do not retry in lockstep, yet each still waits at least half the step.
 */

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000 };

/** The wait before retry `attempt` (0-based). `random` is in [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
  retryAfterMs?: number,
): number {
  const step = Math.min(options.maxMs, options.initialMs * 2 ** attempt);
  const jittered = step / 2 + random() * (step / 2);
  // A server that says when to come back (Retry-After) is believed, within the cap.
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, options.maxMs)));
}
