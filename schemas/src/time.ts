/**
 * Instants and calendar dates of canonical events. An instant is ISO-8601 with an explicit offset
 * or epoch milliseconds; a date is `YYYY-MM-DD`. Both are parsed by hand rather than with
 * `Date.parse`, which accepts local times without an offset and rolls 2026-02-30 over to March.
 */

/**
 * Instants outside [2000-01-01, 2100-01-01) are refused as absurd: the usual cause is a unit
 * mistake (epoch seconds land in January 1970, microseconds tens of thousands of years ahead).
 */
export const MIN_INSTANT_MS = Date.UTC(2000, 0, 1);
export const MAX_INSTANT_MS = Date.UTC(2100, 0, 1) - 1;
/** Dates within ClickHouse `Date32` (1900-01-01 … 2299-12-31), as days since 1970-01-01. */
export const MIN_DATE_DAYS = Date.UTC(1900, 0, 1) / 86_400_000;
export const MAX_DATE_DAYS = Date.UTC(2299, 11, 31) / 86_400_000;

const DAY_MS = 86_400_000;
// Date, `T`, hh:mm, optional :ss and fraction, then `Z` or ±hh:mm: the offset is mandatory.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const INSTANT_RULE = 'must be ISO-8601 with an offset or epoch milliseconds';
export const INSTANT_RANGE_RULE =
  'must be between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59.999Z';
export const DATE_RULE = 'must be a calendar date YYYY-MM-DD';
export const DATE_RANGE_RULE = 'must be between 1900-01-01 and 2299-12-31';

export type TimeParse = { ok: true; value: number } | { ok: false; rule: string };

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function utcMs(year: number, month: number, day: number, ms = 0): number {
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month - 1, day) + ms);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/**
 * Epoch milliseconds of an ISO-8601 instant with an offset, or of an integer number of epoch
 * milliseconds. Fractions finer than a millisecond are truncated (Python's isoformat writes
 * microseconds; truncation keeps the result deterministic).
 */
export function parseInstant(input: unknown): TimeParse {
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) return { ok: false, rule: INSTANT_RULE };
    return inRange(input);
  }
  if (typeof input !== 'string') return { ok: false, rule: INSTANT_RULE };
  const match = ISO_INSTANT.exec(input);
  if (match === null) return { ok: false, rule: INSTANT_RULE };
  const [, y, mo, d, h, mi, s = '0', fraction = '', zulu, sign, oh, om] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = Number(oh ?? 0);
  const offsetMinutes = Number(om ?? 0);
  if (
    !validCalendarDate(year, month, day) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    (zulu === undefined && (offsetHours > 23 || offsetMinutes > 59))
  ) {
    return { ok: false, rule: INSTANT_RULE };
  }
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const local = utcMs(year, month, day, ((hour * 60 + minute) * 60 + second) * 1000 + millis);
  return inRange(local - offsetMs);
}

function inRange(ms: number): TimeParse {
  if (ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS) return { ok: false, rule: INSTANT_RANGE_RULE };
  return { ok: true, value: ms };
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` calendar date (the Avro `date` logical type). */
export function parseDate(input: unknown): TimeParse {
  if (typeof input !== 'string') return { ok: false, rule: DATE_RULE };
  const match = ISO_DATE.exec(input);
  if (match === null) return { ok: false, rule: DATE_RULE };
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  if (!validCalendarDate(year, month, day)) return { ok: false, rule: DATE_RULE };
  const days = utcMs(year, month, day) / DAY_MS;
  if (days < MIN_DATE_DAYS || days > MAX_DATE_DAYS) return { ok: false, rule: DATE_RANGE_RULE };
  return { ok: true, value: days };
}

/** The canonical rendering of an instant: ISO-8601 in UTC with milliseconds. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/** The canonical rendering of a date: `YYYY-MM-DD`. */
export function formatDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}
