import { z } from 'zod';
import { TENANT_PATTERN } from '@cs/schemas';

/**
 * The tenant config file (CONTRACT: a tenant has an IANA timezone, a session timeout and
 * ingestion API keys). Unknown fields are refused so a misspelt `timeoutMinute` cannot silently
 * fall back to the default.
 */

export const MIN_API_KEY_LENGTH = 16;

function isIanaTimeZone(name: string): boolean {
  try {
    // NOTE: Intl throws a RangeError for a zone name it does not know; that is the whole check.
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch (error: unknown) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

export const tenantSchema = z.strictObject({
  id: z.string().regex(TENANT_PATTERN, `must match ${TENANT_PATTERN.source}`),
  timezone: z
    .string()
    .refine(isIanaTimeZone, { message: 'must be an IANA time zone such as Europe/Paris' })
    .default('UTC'),
  timeoutMinutes: z
    .number({ message: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(1, 'must be at least 1')
    .max(24 * 60, 'must be at most 1440 (a day)')
    .default(30),
  // Messages never echo the value: these are secrets.
  apiKeys: z
    .array(
      z
        .string({ message: 'must be a string' })
        .min(MIN_API_KEY_LENGTH, `must be at least ${MIN_API_KEY_LENGTH} characters`)
        .max(256, 'must be at most 256 characters')
        .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
    )
    .default([]),
});

export const tenantsFileSchema = z.strictObject({
  tenants: z.array(tenantSchema),
});

/** One tenant as written in the file (defaults applied). */
export type TenantConfig = z.infer<typeof tenantSchema>;
export type TenantsFile = z.infer<typeof tenantsFileSchema>;

/** A tenant's settings without its keys: what lookups hand out, so keys do not travel further. */
export type Tenant = Omit<TenantConfig, 'apiKeys'>;
