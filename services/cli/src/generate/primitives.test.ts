import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEATURE_SLOTS, ACTIVITY_SLOTS, USAGE_PROPERTIES, tenantName } from './catalog.js';
import { formatCents } from './money.js';
import { Prng, mixSeed } from './prng.js';
import { IsoTimestamps, addUtcMonths, parseUtcDate } from './timestamps.js';

describe('IsoTimestamps', () => {
  it('renders exactly what Date#toISOString renders', () => {
    const iso = new IsoTimestamps();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), (ms) => {
        expect(iso.format(ms)).toBe(new Date(ms).toISOString());
      }),
    );
  });
});

describe('formatCents', () => {
  it('is an exact decimal string of the integer cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.boolean(), (cents, trimWhole) => {
        const text = formatCents(cents, { trimWhole });
        expect(text).toMatch(/^-?\d+(\.\d{2})?$/);
        expect(Math.round(Number(text) * 100)).toBe(cents);
      }),
    );
    expect(formatCents(4990)).toBe('49.90');
    expect(formatCents(1200000, { trimWhole: true })).toBe('12000');
    expect(() => formatCents(0.5)).toThrow(RangeError);
  });
});

describe('Prng', () => {
  it('replays the same sequence from the same seed and stays in range', () => {
    const a = new Prng(123);
    const b = new Prng(123);
    const c = new Prng(124);
    const seqA = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 1000 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = seqA.reduce((sum, x) => sum + x, 0) / seqA.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });

  it('derives distinct tenant seeds', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => mixSeed(1, i)));
    expect(seeds.size).toBe(1000);
  });
});

describe('catalog', () => {
  it('holds only strings that are safe to splice into JSON unescaped', () => {
    const fragments = [
      ...FEATURE_SLOTS.flat().map((slot) => slot.json),
      ...ACTIVITY_SLOTS.map((slot) => slot.json),
      ...USAGE_PROPERTIES,
    ];
    for (const fragment of fragments) {
      expect(JSON.parse(`{"x":1${fragment}}`)).toBeTypeOf('object');
    }
  });

  it('names tenants acme, globex, t3… within the tenant pattern', () => {
    expect([0, 1, 2, 99].map(tenantName)).toEqual(['acme', 'globex', 't3', 't100']);
  });
});

describe('dates', () => {
  it('parses only real calendar dates and adds months keeping the day', () => {
    expect(parseUtcDate('2026-02-28')).toBe(Date.UTC(2026, 1, 28));
    expect(parseUtcDate('2026-02-30')).toBeUndefined();
    expect(parseUtcDate('2026-2-3')).toBeUndefined();
    expect(addUtcMonths(Date.UTC(2026, 10, 15, 3), 3)).toBe(Date.UTC(2027, 1, 15, 3));
  });
});
