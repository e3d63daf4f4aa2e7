/**
 * Exact money: bigint millionths (the views' `Decimal(18, 6)` scale). No floating point touches a
 * price, so the reference can be compared digit for digit.
 */

export const MICROS_PER_UNIT = 1_000_000n;
const SCALE = 6;

/** An exact non-negative decimal as a fraction `numerator / denominator`. */
export interface ExactDecimal {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** Parses decimal text (`"19.99"`, `"2000"`, `"1e-7"`), already checked by the line validator. */
export function parseDecimal(text: string): ExactDecimal {
  const [mantissa = '0', exponentText = '0'] = text.toLowerCase().split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  const exponent = Number(exponentText) - fraction.length;
  const digits = BigInt(`${whole}${fraction}`);
  return exponent >= 0
    ? { numerator: digits * 10n ** BigInt(exponent), denominator: 1n }
    : { numerator: digits, denominator: 10n ** BigInt(-exponent) };
}

/** `numerator / denominator` in micros, rounded half up (all values here are ≥ 0). */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

/** A decimal in micros, rounded half up to 6 places (how billing stores amounts). */
export function toMicros(value: ExactDecimal): bigint {
  return divideHalfUp(value.numerator * MICROS_PER_UNIT, value.denominator);
}

/** Renders micros with exactly 6 decimals: `166666667n` → `"166.666667"`. */
export function formatMicros(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const magnitude = micros < 0n ? -micros : micros;
  const whole = magnitude / MICROS_PER_UNIT;
  const fraction = (magnitude % MICROS_PER_UNIT).toString().padStart(SCALE, '0');
  return `${sign}${whole}.${fraction}`;
}
