/**
 * Value shapes ClickHouse reads from JSONEachRow for the fact-table column types. Strings for
 * times and dates keep the text unambiguous (a bare number is read differently by Date, DateTime
 * and DateTime64), and UTC is explicit in the columns.
 */

const MS_PER_DAY = 86_400_000;

/** `DateTime64(3, 'UTC')` from epoch milliseconds: `2026-07-01 10:00:00.000`. */
export function dateTime64(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** `Date` from Avro `date` (days since 1970-01-01): `2026-07-01`. */
export function date(epochDay: number): string {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

export function nullableDateTime64(epochMs: number | null): string | null {
  return epochMs === null ? null : dateTime64(epochMs);
}

export function nullableDate(epochDay: number | null): string | null {
  return epochDay === null ? null : date(epochDay);
}

/**
 * A Kafka offset (a decimal string) as a JSON number for UInt64/Int64 columns.
 * NOTE: exact below 2^53 (9·10^15 records in one partition); beyond that it throws rather than
 * writing a rounded `seq`.
 */
export function offsetNumber(offset: string): number {
  const value = Number(offset);
  if (!Number.isSafeInteger(value)) throw new RangeError(`offset ${offset} exceeds 2^53`);
  return value;
}
