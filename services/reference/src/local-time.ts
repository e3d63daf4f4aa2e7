/** Instants, tenant-local calendar days, and day arithmetic on `YYYY-MM-DD` strings. */

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;
/** Offsets change only on quarter-hour boundaries, so one lookup per quarter-hour suffices. */
const OFFSET_BUCKET_MS = 900_000;

/** `ts`-style value (ISO-8601 with offset, or epoch ms) → epoch ms, or null when malformed. */
export function parseEventTime(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : null;
  }
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Converts instants to local calendar days in one IANA timezone (through Intl), cached. */
export class LocalCalendar {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly timezone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** The local date `YYYY-MM-DD` of an instant. */
  dayOf(ms: number): string {
    return new Date(ms + this.offsetAt(ms)).toISOString().slice(0, 10);
  }

  private offsetAt(ms: number): number {
    const bucket = Math.floor(ms / OFFSET_BUCKET_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const start = bucket * OFFSET_BUCKET_MS;
      const parts: Record<string, number> = {};
      for (const part of this.format.formatToParts(new Date(start))) {
        if (part.type !== 'literal') parts[part.type] = Number(part.value);
      }
      const field = (name: string): number => parts[name] ?? 0;
      const asUtc = Date.UTC(
        field('year'),
        field('month') - 1,
        field('day'),
        field('hour'),
        field('minute'),
        field('second'),
      );
      offset = asUtc - start;
      this.offsets.set(bucket, offset);
    }
    return offset;
  }
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

export function dayFromNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayFromNumber(dayNumber(day) + days);
}

/** `YYYY-MM-01` of the month a day is in (months are the `Date` of their first day). */
export function monthOf(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

export function nextMonth(month: string): string {
  const year = Number(month.slice(0, 4));
  const index = Number(month.slice(5, 7));
  return index === 12 ? `${year + 1}-01-01` : `${year}-${String(index + 1).padStart(2, '0')}-01`;
}
