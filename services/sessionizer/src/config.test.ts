import { describe, expect, it } from 'vitest';
import { parseSessionizerConfig, sessionizerConfigForTenant } from './config.js';

describe('sessionizer config', () => {
  it('defaults to UTC, 30 minutes, two held days and 256 remembered ids', () => {
    expect(parseSessionizerConfig()).toEqual({
      timeZone: 'UTC',
      timeoutMs: 1_800_000,
      horizonDays: 2,
      recentIdsMax: 256,
    });
  });

  it('takes a tenant as the tenants file states it', () => {
    expect(
      sessionizerConfigForTenant({ timezone: 'Europe/Paris', timeoutMinutes: 45 }),
    ).toMatchObject({ timeZone: 'Europe/Paris', timeoutMs: 45 * 60_000 });
  });

  it('names each bad key and what is allowed', () => {
    expect(() => parseSessionizerConfig({ timeZone: 'Europe/Pariss', horizonDays: 0 })).toThrow(
      /timeZone: must be an IANA time zone.*horizonDays: must be at least 1/,
    );
    expect(() => parseSessionizerConfig({ timeoutMs: 1.5 })).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });
});
