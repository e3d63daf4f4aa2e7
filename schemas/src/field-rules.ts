import { formatDecimal, parseDecimal } from './decimal.js';
import { parseDate, parseInstant } from './time.js';

/**
 * One field's rule: the raw JSON value in, the Avro record value out, or the rule it broke in the
 * words the producer sees (`usage.count: must be an integer ≥ 1`). `path` names a part inside the
 * field (a map key) when that is what broke.
 */
export type FieldCheck<T> = (
  value: unknown,
) => { ok: true; value: T } | { ok: false; rule: string; path?: string };

const MAX_INT = 2_147_483_647; // Avro int

function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

export const REQUIRED = 'required';

/** A required identifier: 1..128 characters, like `id`. */
export const identifier: FieldCheck<string> = (value) => {
  if (isAbsent(value)) return { ok: false, rule: REQUIRED };
  if (typeof value !== 'string' || value.length < 1 || value.length > 128) {
    return { ok: false, rule: 'must be a string of 1 to 128 characters' };
  }
  return { ok: true, value };
};

/** An optional identifier (absent or null: none). */
export const optionalIdentifier: FieldCheck<string | null> = (value) =>
  isAbsent(value) ? { ok: true, value: null } : identifier(value);

/** Optional free text of at most `max` characters (absent or null: none). */
export function optionalText(max: number): FieldCheck<string | null> {
  return (value) => {
    if (isAbsent(value)) return { ok: true, value: null };
    if (typeof value !== 'string' || value.length > max) {
      return { ok: false, rule: `must be a string of at most ${max} characters` };
    }
    return { ok: true, value };
  };
}

/** An integer in min..2^31-1 (an Avro int), `fallback` when absent. */
export function integerAtLeast(min: number, fallback: number): FieldCheck<number> {
  return (value) => {
    if (isAbsent(value)) return { ok: true, value: fallback };
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_INT) {
      return { ok: false, rule: `must be an integer ≥ ${min} (at most ${MAX_INT})` };
    }
    return { ok: true, value };
  };
}

/** One of a fixed set of numbers, `fallback` when absent. */
export function numberIn(allowed: readonly number[], fallback: number): FieldCheck<number> {
  return (value) => {
    if (isAbsent(value)) return { ok: true, value: fallback };
    if (typeof value !== 'number' || !allowed.includes(value)) {
      return { ok: false, rule: `must be one of ${allowed.join(', ')}` };
    }
    return { ok: true, value };
  };
}

/** A required member of a closed set of strings. */
export function oneOf<const T extends string>(allowed: readonly T[]): FieldCheck<T> {
  return (value) => {
    if (isAbsent(value)) return { ok: false, rule: REQUIRED };
    const found = allowed.find((candidate) => candidate === value);
    if (found === undefined) return { ok: false, rule: `must be one of ${allowed.join(', ')}` };
    return { ok: true, value: found };
  };
}

/** An ISO 4217 currency code (absent or null: none). */
export const optionalCurrency: FieldCheck<string | null> = (value) => {
  if (isAbsent(value)) return { ok: true, value: null };
  if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value)) {
    return { ok: false, rule: 'must be an ISO 4217 code (3 upper-case letters)' };
  }
  return { ok: true, value };
};

/** A required instant (see time.ts), as epoch milliseconds. */
export const instant: FieldCheck<number> = (value) => {
  if (isAbsent(value)) return { ok: false, rule: REQUIRED };
  return parseInstant(value);
};

export const optionalInstant: FieldCheck<number | null> = (value) =>
  isAbsent(value) ? { ok: true, value: null } : parseInstant(value);

/** An optional `YYYY-MM-DD` date, as days since 1970-01-01. */
export const optionalDate: FieldCheck<number | null> = (value) =>
  isAbsent(value) ? { ok: true, value: null } : parseDate(value);

/** A money amount ≥ 0 (a JSON number or a decimal string), as its canonical decimal string. */
export const amount: FieldCheck<string> = (value) => {
  if (isAbsent(value)) return { ok: false, rule: REQUIRED };
  if (typeof value !== 'number' && typeof value !== 'string') {
    return { ok: false, rule: 'must be a decimal number (a JSON number or a string like "12.50")' };
  }
  const parsed = parseDecimal(value);
  if (!parsed.ok) return parsed;
  if (parsed.units < 0n) return { ok: false, rule: 'must be ≥ 0' };
  return { ok: true, value: formatDecimal(parsed.units) };
};

export const optionalAmount: FieldCheck<string | null> = (value) =>
  isAbsent(value) ? { ok: true, value: null } : amount(value);

export function amountOr(fallback: string): FieldCheck<string> {
  return (value) => (isAbsent(value) ? { ok: true, value: fallback } : amount(value));
}

const MAX_MAP_ENTRIES = 256;
const MAX_MAP_TEXT = 4096;

/** A string → string object (absent or null: empty), like `properties` and `attributes`. */
export const stringMap: FieldCheck<Record<string, string>> = (value) => {
  if (isAbsent(value)) return { ok: true, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, rule: 'must be an object of string values' };
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_MAP_ENTRIES) {
    return { ok: false, rule: `must have at most ${MAX_MAP_ENTRIES} entries` };
  }
  for (const [key, inner] of entries) {
    if (key.length > 256) return { ok: false, rule: 'keys must be at most 256 characters' };
    if (typeof inner !== 'string' || inner.length > MAX_MAP_TEXT) {
      return {
        ok: false,
        rule: `must be a string of at most ${MAX_MAP_TEXT} characters`,
        path: key,
      };
    }
  }
  // fromEntries defines own properties, so a `__proto__` key stays a key, not a prototype.
  return { ok: true, value: Object.fromEntries(entries) };
};
