/**
 * Exact decimals for money. Amounts travel as Avro `decimal` (bytes, precision 18, scale 6) and are
 * a canonical decimal string in JavaScript ("2000", "0.3", "166.666667"), never a float: the text
 * is parsed digit by digit into a scaled bigint, so "0.1" is exactly one tenth.
 */

/** Digits after the point every money value keeps (micro-units, enough for per-unit prices). */
export const MONEY_SCALE = 6;
/** Total digits: fits a signed 64-bit integer, hence ClickHouse `Decimal(18, 6)`. */
export const MONEY_PRECISION = 18;

export type DecimalParse = { ok: true; units: bigint } | { ok: false; rule: string };

// Sign, integer digits, optional fraction, optional exponent: the JSON number grammar without the
// leading-zero restriction, which is also how `String(number)` renders any finite number.
const DECIMAL_TEXT = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const MAX_TEXT_LENGTH = 64;

/**
 * Parses a JSON number or a decimal string into units of 10^-scale, exactly. A number is read
 * through its shortest round-trip text (`String(n)`), which is the text the producer wrote whenever
 * that had at most 17 significant digits; no arithmetic is done on the float itself.
 */
export function parseDecimal(
  input: string | number,
  scale: number = MONEY_SCALE,
  precision: number = MONEY_PRECISION,
): DecimalParse {
  if (typeof input === 'number' && !Number.isFinite(input)) {
    return { ok: false, rule: 'must be a finite decimal number' };
  }
  const text = typeof input === 'number' ? String(input) : input;
  const match = text.length <= MAX_TEXT_LENGTH ? DECIMAL_TEXT.exec(text) : null;
  if (match === null) {
    return { ok: false, rule: 'must be a decimal number (a JSON number or a string like "12.50")' };
  }
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  let coefficient = BigInt(whole + fraction);
  let exponent = Number(exponentText) - fraction.length;
  if (coefficient === 0n) return { ok: true, units: 0n };
  // Trailing zeros carry no value: "1.5000000" has one decimal place, not seven.
  while (exponent < 0 && coefficient % 10n === 0n) {
    coefficient /= 10n;
    exponent += 1;
  }
  if (-exponent > scale) return { ok: false, rule: `must have at most ${scale} decimal places` };
  const limit = 10n ** BigInt(precision);
  // Checked before scaling so a huge exponent ("1e999999") cannot make a huge bigint.
  if (exponent + scale > precision) return { ok: false, rule: tooLarge(scale, precision) };
  const units = coefficient * 10n ** BigInt(exponent + scale);
  if (units >= limit) return { ok: false, rule: tooLarge(scale, precision) };
  return { ok: true, units: sign === '-' ? -units : units };
}

function tooLarge(scale: number, precision: number): string {
  const max = formatDecimal(10n ** BigInt(precision) - 1n, scale);
  return `must be at most ${max}`;
}

/** Renders units of 10^-scale as the shortest exact decimal string ("2000", "0.3"). */
export function formatDecimal(units: bigint, scale: number = MONEY_SCALE): string {
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const factor = 10n ** BigInt(scale);
  const whole = (magnitude / factor).toString();
  const fraction = (magnitude % factor).toString().padStart(scale, '0').replace(/0+$/, '');
  const text = fraction === '' ? whole : `${whole}.${fraction}`;
  return negative ? `-${text}` : text;
}

/** Units of 10^-scale of a decimal string that is already valid (a record's amount); throws if not. */
export function decimalToUnits(text: string, scale: number = MONEY_SCALE): bigint {
  const parsed = parseDecimal(text, scale);
  if (!parsed.ok) throw new RangeError(`not a decimal with scale ${scale}: ${text}`);
  return parsed.units;
}

/** Two's-complement big-endian bytes, the Avro `decimal` encoding of an unscaled value. */
export function unitsToBytes(units: bigint): Buffer {
  const littleEndian: number[] = [];
  let rest = units;
  for (;;) {
    const byte = Number(rest & 0xffn);
    littleEndian.push(byte);
    rest >>= 8n; // arithmetic shift: negative values converge on -1
    const signBitSet = (byte & 0x80) !== 0;
    if ((rest === 0n && !signBitSet) || (rest === -1n && signBitSet)) break;
  }
  return Buffer.from(littleEndian.reverse());
}

export function bytesToUnits(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const first = bytes[0];
  if (first !== undefined && (first & 0x80) !== 0) value -= 1n << BigInt(bytes.length * 8);
  return value;
}
