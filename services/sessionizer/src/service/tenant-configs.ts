import type { Logger } from '@cs/runtime';
import type { TenantDirectory } from '@cs/tenants';
import {
  parseSessionizerConfig,
  sessionizerConfigForTenant,
  type SessionizerConfig,
} from '../config.js';

/**
 * Each tenant's sessionizer settings, from the tenants file, parsed once per tenant.
 *
 * A tenant the file does not list gets the contract's defaults (UTC, 30 minutes; CONTRACT: "a
 * tenant has settings … default UTC … default 30"), with one warning per tenant and a count: its
 * events passed the edge (a file loader, an older tenants file), and parking them in the dead-letter
 * topic would stop its figures until someone replays them, while defaults keep them flowing and
 * `cs rebuild` corrects them once the tenant is configured.
 */
export function tenantConfigs(
  tenants: TenantDirectory,
  options: { logger: Logger; onUnknownTenant?: (tenant: string) => void },
): (tenant: string) => SessionizerConfig {
  const cache = new Map<string, SessionizerConfig>();
  const defaults = parseSessionizerConfig({});
  return (tenant) => {
    const cached = cache.get(tenant);
    if (cached !== undefined) return cached;
    const known = tenants.byId(tenant);
    let config = defaults;
    if (known === undefined) {
      options.logger.warn('unknown tenant: sessionizing with the default settings', {
        tenant,
        timeZone: defaults.timeZone,
        timeoutMs: defaults.timeoutMs,
      });
      options.onUnknownTenant?.(tenant);
    } else {
      config = sessionizerConfigForTenant(known);
    }
    cache.set(tenant, config);
    return config;
  };
}
