// Normalises a cell of a ClickHouse row (JSONEachRow: 64-bit integers and Decimals may be quoted,
// Decimals may lose trailing zeros, Nullable text may be '' or NULL) and the reference's cell for
// the same column into one comparable form, per column kind.

/**
 * - `int`: counts, ms and epoch-ms columns; compared exactly.
 * - `money`: Decimal(·, 6); compared exactly at 6 places (`null` stays null).
 * - `float`: ratios the reference README leaves as unrounded floats; relative tolerance.
 * - `text`: entity strings; `null` and `''` are the same (a view may render an absent field as '').
 * - `day`: `YYYY-MM-DD` or null.
 * - `module-map`: `Map(String, UInt64)`; 0-ms entries dropped (the reference omits them).
 */
export type ColumnKind = 'int' | 'money' | 'float' | 'text' | 'day' | 'module-map';

/** A normalised cell: numbers for `int` and `float`, strings otherwise, null when absent. */
export type Cell = string | number | null;

/** Relative tolerance for `float` columns (reference README: "relative tolerance of 1e-9"). */
export const FLOAT_TOLERANCE = 1e-9;

export class NormaliseError extends Error {
  readonly code = 'COMPARE_BAD_CELL';
  constructor(message: string) {
    super(message);
    this.name = 'NormaliseError';
  }
}

function integerOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  // A DateTime64 rendering of an epoch-ms column: read it as UTC.
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?$/.test(value)) {
    return Date.parse(`${value.replace(' ', 'T').replace(/Z$/, '')}Z`);
  }
  throw new NormaliseError(`expected an integer, got ${JSON.stringify(value)}`);
}

/** `'15'`, `15`, `'15.5'`, `'-0.000001'` → `'15.000000'`, `'15.500000'`, `'-0.000001'`. */
export function moneyOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') throw new NormaliseError(`expected a decimal, got ${typeof value}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) throw new NormaliseError(`expected a decimal, got ${JSON.stringify(value)}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  if (fraction.length > 6 && /[1-9]/.test(fraction.slice(6))) {
    throw new NormaliseError(`more than 6 decimal places: ${text}`);
  }
  const micros = BigInt(whole) * 1_000_000n + BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  const negative = sign === '-' && micros !== 0n;
  const digits = micros.toString().padStart(7, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

function floatOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n)) {
    throw new NormaliseError(`expected a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

function moduleMapOf(value: unknown): string {
  if (value === null || value === undefined) return '{}';
  if (typeof value !== 'object') throw new NormaliseError(`expected a map, got ${typeof value}`);
  const entries = Object.entries(value as Record<string, unknown>)
    .map(([module, ms]): [string, number] => [module, integerOf(ms) ?? 0])
    .filter(([, ms]) => ms !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new NormaliseError(`expected text, got ${JSON.stringify(value)}`);
}

export function normaliseCell(kind: ColumnKind, value: unknown): Cell {
  switch (kind) {
    case 'int':
      return integerOf(value);
    case 'money':
      return moneyOf(value);
    case 'float':
      return floatOf(value);
    case 'text':
      return textOf(value) ?? '';
    case 'day':
      return textOf(value) || null;
    case 'module-map':
      return moduleMapOf(value);
  }
}

/** Whether two normalised cells of a column of `kind` agree. */
export function cellsAgree(kind: ColumnKind, a: Cell, b: Cell): boolean {
  if (kind !== 'float' || typeof a !== 'number' || typeof b !== 'number') return a === b;
  return Math.abs(a - b) <= FLOAT_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Whether a cell is a zero (money or count): `account_financials` rows of zeros may be absent. */
export function isZeroCell(cell: Cell): boolean {
  return cell === 0 || (typeof cell === 'string' && /^-?0\.0+$/.test(cell));
}
