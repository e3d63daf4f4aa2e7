import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayNumberOf, dayString, isIanaTimeZone, localDay, zoneOffsetMs } from './local-day.js';

// Independent of the cache: Intl's own rendering of the local date (en-CA writes YYYY-MM-DD).
const intlFormatters = new Map<string, Intl.DateTimeFormat>();
function intlDay(tsMs: number, timeZone: string): string {
  let formatter = intlFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    intlFormatters.set(timeZone, formatter);
  }
  return formatter.format(tsMs);
}

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/Paris',
  'Asia/Kolkata', // +05:30: local midnight falls mid-UTC-hour
  'Asia/Kathmandu', // +05:45
  'Australia/Lord_Howe', // a 30-minute DST shift
  'America/Santiago', // DST starts at local midnight: that day begins at 01:00
  'Pacific/Chatham', // +12:45 / +13:45
  'Pacific/Kiritimati', // +14
  'Pacific/Pago_Pago', // −11
];

describe('localDay', () => {
  it('is the date in the zone, not in UTC', () => {
    const ts = Date.parse('2026-03-02T03:00:00Z');
    expect(localDay(ts, 'UTC')).toBe('2026-03-02');
    expect(localDay(ts, 'America/New_York')).toBe('2026-03-01');
    expect(localDay(ts, 'Asia/Tokyo')).toBe('2026-03-02');
  });

  it('switches exactly at local midnight, also in a +05:30 zone', () => {
    const midnight = Date.parse('2026-03-01T18:30:00Z'); // 2026-03-02 00:00 in Kolkata
    expect(localDay(midnight - 1, 'Asia/Kolkata')).toBe('2026-03-01');
    expect(localDay(midnight, 'Asia/Kolkata')).toBe('2026-03-02');
  });

  it('gives a 23-hour day when New York springs forward and a 25-hour day when it falls back', () => {
    const springStart = Date.parse('2026-03-08T05:00:00Z'); // 00:00 EST
    const springEnd = Date.parse('2026-03-09T04:00:00Z'); // 00:00 EDT next day
    expect(springEnd - springStart).toBe(23 * 3_600_000);
    expect(localDay(springStart, 'America/New_York')).toBe('2026-03-08');
    expect(localDay(springEnd - 1, 'America/New_York')).toBe('2026-03-08');
    expect(localDay(springEnd, 'America/New_York')).toBe('2026-03-09');

    const fallStart = Date.parse('2026-11-01T04:00:00Z'); // 00:00 EDT
    const fallEnd = Date.parse('2026-11-02T05:00:00Z'); // 00:00 EST next day
    expect(fallEnd - fallStart).toBe(25 * 3_600_000);
    expect(localDay(fallStart - 1, 'America/New_York')).toBe('2026-10-31');
    expect(localDay(fallEnd - 1, 'America/New_York')).toBe('2026-11-01');
    expect(localDay(fallEnd, 'America/New_York')).toBe('2026-11-02');
  });

  it('reads the offset inside a transition hour exactly (Lord Howe shifts by 30 minutes)', () => {
    // 2026-04-05 02:00 LHDT (+11) becomes 01:30 LHST (+10:30): at 2026-04-04T15:00Z.
    expect(zoneOffsetMs(Date.parse('2026-04-04T14:59:59.999Z'), 'Australia/Lord_Howe')).toBe(
      11 * 3_600_000,
    );
    expect(zoneOffsetMs(Date.parse('2026-04-04T15:00:00Z'), 'Australia/Lord_Howe')).toBe(
      10.5 * 3_600_000,
    );
  });

  it('agrees with Intl for any instant in many zones (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
        fc.constantFrom(...ZONES),
        (ts, zone) => localDay(ts, zone) === intlDay(ts, zone),
      ),
      { numRuns: 3000 },
    );
  });

  it('agrees with Intl minute by minute around every 2026 transition of the tricky zones', () => {
    let transitions = 0;
    for (const zone of ZONES) {
      const start = Date.UTC(2026, 0, 1);
      // Six-hourly probes for the year, then every minute around any step whose offset changes.
      const step = 6 * 3_600_000;
      for (let at = start; at < Date.UTC(2027, 0, 1); at += step) {
        if (zoneOffsetMs(at, zone) === zoneOffsetMs(at + step, zone)) continue;
        transitions += 1;
        for (let ts = at - 3_600_000; ts <= at + step + 3_600_000; ts += 60_000) {
          expect(localDay(ts, zone), `${zone} at ${new Date(ts).toISOString()}`).toBe(
            intlDay(ts, zone),
          );
        }
      }
    }
    // New York, Paris, Lord Howe, Santiago and Chatham change twice each in 2026.
    expect(transitions).toBeGreaterThanOrEqual(10);
  });

  it('refuses an unknown zone with a coded error', () => {
    expect(() => localDay(0, 'Mars/Olympus_Mons')).toThrow(
      expect.objectContaining({ code: 'invalid_time_zone' }),
    );
    expect(isIanaTimeZone('Europe/Paris')).toBe(true);
    expect(isIanaTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('day numbers', () => {
  it('round-trips YYYY-MM-DD and refuses dates that do not exist', () => {
    expect(dayString(dayNumberOf('2026-02-28') + 1)).toBe('2026-03-01');
    expect(dayString(dayNumberOf('2028-02-28') + 1)).toBe('2028-02-29');
    expect(() => dayNumberOf('2026-02-30')).toThrow(
      expect.objectContaining({ code: 'invalid_day' }),
    );
    expect(() => dayNumberOf('2026-3-1')).toThrow(expect.objectContaining({ code: 'invalid_day' }));
  });
});
