/**
 * Money is computed in integer cents and rendered as a decimal string, so no amount ever carries
 * binary-fraction noise (`49.900000000000006`) into the pipeline's Decimal columns.
 */
export function formatCents(cents: number, options: { trimWhole?: boolean } = {}): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`cents must be an integer: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const fraction = abs % 100;
  if (fraction === 0 && options.trimWhole === true) return `${sign}${whole}`;
  return `${sign}${whole}.${String(fraction).padStart(2, '0')}`;
}
