import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToUnits, formatDecimal, parseDecimal, unitsToBytes } from './decimal.js';

describe('decimal', () => {
  it('encodes unscaled values as minimal two’s-complement big-endian bytes (Avro decimal)', () => {
    expect(unitsToBytes(0n)).toEqual(Buffer.from([0x00]));
    expect(unitsToBytes(127n)).toEqual(Buffer.from([0x7f]));
    expect(unitsToBytes(128n)).toEqual(Buffer.from([0x00, 0x80]));
    expect(unitsToBytes(-1n)).toEqual(Buffer.from([0xff]));
    expect(unitsToBytes(-128n)).toEqual(Buffer.from([0x80]));
    expect(unitsToBytes(-129n)).toEqual(Buffer.from([0xff, 0x7f]));
    expect(unitsToBytes(2_000_000_000n)).toEqual(Buffer.from([0x77, 0x35, 0x94, 0x00]));
  });

  it('round-trips every 64-bit value through bytes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (units) => {
        expect(bytesToUnits(unitsToBytes(units))).toBe(units);
      }),
    );
  });

  it('formats and parses back exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }), (units) => {
        const text = formatDecimal(units);
        expect(parseDecimal(text)).toEqual({ ok: true, units });
      }),
    );
  });

  it('does not go through float arithmetic', () => {
    expect(parseDecimal('0.1')).toEqual({ ok: true, units: 100_000n });
    expect(parseDecimal('123456789012.345678')).toEqual({
      ok: true,
      units: 123_456_789_012_345_678n,
    });
    expect(parseDecimal('1e999999').ok).toBe(false);
    expect(formatDecimal(-1_500_000n)).toBe('-1.5');
  });
});
