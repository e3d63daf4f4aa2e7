/**
 * Reads tenant settings from a `config/tenants.json`-shaped file: `{ tenants: [{ id, timezone?,
 * timeoutMinutes? }] }`. Only the two settings the numbers depend on are read; API keys are ignored.
 */
import { DEFAULT_SETTINGS, type TenantSettings } from './tenant-facts.js';

function fail(path: string, rule: string): never {
  throw new Error(`tenants config: ${path} must be ${rule}`);
}

export function parseTenantsConfig(text: string): Record<string, TenantSettings> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || !('tenants' in parsed)) {
    fail('the file', 'an object with a `tenants` array');
  }
  const tenants = parsed.tenants;
  if (!Array.isArray(tenants)) fail('tenants', 'an array');
  const settings: Record<string, TenantSettings> = {};
  tenants.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) fail(`tenants[${index}]`, 'an object');
    const fields = entry as Record<string, unknown>;
    const { id, timezone = DEFAULT_SETTINGS.timezone } = fields;
    const { timeoutMinutes = DEFAULT_SETTINGS.timeoutMinutes } = fields;
    if (typeof id !== 'string') fail(`tenants[${index}].id`, 'a string');
    if (typeof timezone !== 'string') fail(`tenants[${index}].timezone`, 'an IANA timezone');
    if (typeof timeoutMinutes !== 'number' || !(timeoutMinutes > 0)) {
      fail(`tenants[${index}].timeoutMinutes`, 'a positive number');
    }
    // Throws a RangeError for an unknown timezone, before any line is read.
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    settings[id] = { timezone, timeoutMinutes };
  });
  return settings;
}
