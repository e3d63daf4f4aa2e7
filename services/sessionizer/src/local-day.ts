import { CsError } from '@cs/runtime';

/**
 * Local calendar days in a tenant's IANA time zone (CONTRACT: "day" is the date there). Sessions
 * never cross local midnight, so every event needs its local day: this runs once per event and
 * must cost far less than an `Intl.DateTimeFormat` call.
 *
 * Days are handled as day numbers (days since 1970-01-01 of the local date) and rendered as
 * `YYYY-MM-DD` only for output rows.
 */

export type LocalDayErrorCode = 'invalid_time_zone' | 'invalid_day';

const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
// NaN marks an hour with an offset change inside it (a DST or zone-rule transition).
const TRANSITION = Number.NaN;
// Hours of offsets kept per zone before the cache starts over: about 5.7 years of hours, a few MB
// at most, and live traffic touches only the last few hours anyway.
const MAX_CACHED_HOURS = 50_000;
const MAX_CACHED_DAY_STRINGS = 20_000;

interface ZoneCache {
  readonly formatter: Intl.DateTimeFormat;
  readonly offsetByHour: Map<number, number>;
  lastHour: number;
  lastOffset: number;
}

const zones = new Map<string, ZoneCache>();
const dayStrings = new Map<number, string>();

function zoneCache(timeZone: string): ZoneCache {
  const cached = zones.get(timeZone);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch (error: unknown) {
    throw new CsError<LocalDayErrorCode>(
      'invalid_time_zone',
      `unknown IANA time zone ${JSON.stringify(timeZone)}`,
      { cause: error },
    );
  }
  const created: ZoneCache = {
    formatter,
    offsetByHour: new Map(),
    lastHour: Number.NaN,
    lastOffset: 0,
  };
  zones.set(timeZone, created);
  return created;
}

/** Whether `name` is a time zone this runtime knows (what `localDay` accepts). */
export function isIanaTimeZone(name: string): boolean {
  try {
    zoneCache(name);
    return true;
  } catch (error: unknown) {
    if (error instanceof CsError && error.code === 'invalid_time_zone') return false;
    throw error;
  }
}

/** The exact offset (local − UTC, in ms) at one instant, from Intl: slow, hence the caches. */
function exactOffsetMs(formatter: Intl.DateTimeFormat, tsMs: number): number {
  // Intl renders whole seconds; compare against the instant floored to its second.
  const flooredMs = Math.floor(tsMs / 1000) * 1000;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatter.formatToParts(flooredMs)) {
    const value = Number(part.value);
    switch (part.type) {
      case 'year':
        year = value;
        break;
      case 'month':
        month = value;
        break;
      case 'day':
        day = value;
        break;
      case 'hour':
        hour = value;
        break;
      case 'minute':
        minute = value;
        break;
      case 'second':
        second = value;
        break;
      default:
        break;
    }
  }
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // NOTE: Date.UTC maps years 0..99 to 1900..1999; instants that old never reach the sessionizer
  // (the edge refuses anything before 2000).
  return asUtc - flooredMs;
}

/**
 * The offset of `timeZone` at `tsMs`. Offsets are cached per UTC hour: an hour whose first and
 * last millisecond share an offset has that offset throughout (zones never change twice within
 * an hour). An hour with a transition inside it is marked and computed exactly on every call;
 * it covers one hour or two a year per zone.
 */
export function zoneOffsetMs(tsMs: number, timeZone: string): number {
  const zone = zoneCache(timeZone);
  const hour = Math.floor(tsMs / HOUR_MS);
  if (hour === zone.lastHour) return zone.lastOffset;
  let offset = zone.offsetByHour.get(hour);
  if (offset === undefined) {
    const start = hour * HOUR_MS;
    const atStart = exactOffsetMs(zone.formatter, start);
    const atEnd = exactOffsetMs(zone.formatter, start + HOUR_MS - 1);
    offset = atStart === atEnd ? atStart : TRANSITION;
    if (zone.offsetByHour.size >= MAX_CACHED_HOURS) zone.offsetByHour.clear();
    zone.offsetByHour.set(hour, offset);
  }
  if (Number.isNaN(offset)) return exactOffsetMs(zone.formatter, tsMs);
  zone.lastHour = hour;
  zone.lastOffset = offset;
  return offset;
}

/** The local day of an instant as a day number: days since 1970-01-01 of its local date. */
export function localDayNumber(tsMs: number, timeZone: string): number {
  return Math.floor((tsMs + zoneOffsetMs(tsMs, timeZone)) / DAY_MS);
}

/** The local day of an instant as `YYYY-MM-DD` in `timeZone`. */
export function localDay(tsMs: number, timeZone: string): string {
  return dayString(localDayNumber(tsMs, timeZone));
}

/** `YYYY-MM-DD` of a day number. */
export function dayString(dayNumber: number): string {
  const cached = dayStrings.get(dayNumber);
  if (cached !== undefined) return cached;
  const date = new Date(dayNumber * DAY_MS);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  const rendered = `${year}-${month}-${day}`;
  if (dayStrings.size >= MAX_CACHED_DAY_STRINGS) dayStrings.clear();
  dayStrings.set(dayNumber, rendered);
  return rendered;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number of a `YYYY-MM-DD` date; refuses dates that do not exist (2026-02-30). */
export function dayNumberOf(day: string): number {
  const match = DAY_PATTERN.exec(day);
  if (match !== null) {
    const [, year, month, date] = match;
    const ms = Date.UTC(Number(year), Number(month) - 1, Number(date));
    const dayNumber = ms / DAY_MS;
    if (dayString(dayNumber) === day) return dayNumber;
  }
  throw new CsError<LocalDayErrorCode>(
    'invalid_day',
    `not a YYYY-MM-DD date: ${JSON.stringify(day)}`,
  );
}
