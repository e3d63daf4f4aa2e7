import type { Logger } from '@cs/runtime';
import { localDayNumber } from './local-day.js';
import type { TenantDirectory } from '@cs/tenants';

/** The local day number (days since 1970-01-01 of the date in the tenant's zone) of an instant. */
export type TenantDay = (tenant: string, tsMs: number) => number;

/**
 * Local days per tenant (CONTRACT: "day" is the date in the tenant's timezone). A tenant the file
 * does not list gets the contract's default zone, UTC, with one warning: its records passed the
 * edge, and parking them would stop its figures, while `cs rebuild` corrects the days once the
 * tenant is configured (the sessionizer does the same).
 */
export function tenantDays(
  tenants: TenantDirectory,
  options: { logger: Logger; onUnknownTenant?: (tenant: string) => void },
): TenantDay {
  const zones = new Map<string, string>();
  const zoneOf = (tenant: string): string => {
    const cached = zones.get(tenant);
    if (cached !== undefined) return cached;
    const known = tenants.byId(tenant);
    if (known === undefined) {
      options.logger.warn('unknown tenant: local days in UTC', { tenant });
      options.onUnknownTenant?.(tenant);
    }
    const zone = known?.timezone ?? 'UTC';
    zones.set(tenant, zone);
    return zone;
  };
  return (tenant, tsMs) => localDayNumber(tsMs, zoneOf(tenant));
}
