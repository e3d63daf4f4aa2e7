import { z } from 'zod';
import { CsError } from '@cs/runtime';
import { DAY_MS, isIanaTimeZone } from './local-day.js';

/**
 * The settings the sessionizer core needs for one tenant. Parsed once (per tenant, when its
 * settings are loaded), then handed to every `applyEvent` call as is.
 */
export const sessionizerConfigSchema = z.strictObject({
  /** The tenant's IANA time zone: it decides each event's day. */
  timeZone: z
    .string()
    .refine(isIanaTimeZone, { message: 'must be an IANA time zone such as Europe/Paris' })
    .default('UTC'),
  /** The tenant's session timeout; a gap equal to it continues the session. */
  timeoutMs: z
    .number()
    .int('must be whole milliseconds')
    .min(1, 'must be at least 1 ms')
    .max(DAY_MS, 'must be at most a day')
    .default(30 * 60_000),
  /**
   * How many local days each user's events are held for corrections: the user's newest day and
   * the `horizonDays − 1` days before it. An event older than that is late (README).
   */
  horizonDays: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(62, 'must be at most 62')
    .default(2),
  /**
   * How many ids each user remembers for dedup beyond its held days (a ring of released days'
   * and late events' ids, oldest dropped first).
   */
  recentIdsMax: z.number().int().min(0).max(100_000).default(256),
});

export type SessionizerConfig = z.infer<typeof sessionizerConfigSchema>;
export type SessionizerConfigInput = z.input<typeof sessionizerConfigSchema>;

export type SessionizerConfigErrorCode = 'invalid_config';

/** Parses sessionizer settings; the error names each bad key and what is allowed. */
export function parseSessionizerConfig(input: SessionizerConfigInput = {}): SessionizerConfig {
  const parsed = sessionizerConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`)
    .join('; ');
  throw new CsError<SessionizerConfigErrorCode>(
    'invalid_config',
    `invalid sessionizer config: ${problems}`,
    { cause: parsed.error },
  );
}

/** The sessionizer settings of a tenant as the tenants file states them. */
export function sessionizerConfigForTenant(tenant: {
  timezone: string;
  timeoutMinutes: number;
}): SessionizerConfig {
  return parseSessionizerConfig({
    timeZone: tenant.timezone,
    timeoutMs: tenant.timeoutMinutes * 60_000,
  });
}
