import { describe, expect, it } from 'vitest';
import { addDays, LocalCalendar, monthOf, nextMonth, parseEventTime } from './local-time.js';
import { formatMicros, parseDecimal, toMicros } from './money.js';
import { activityRanks, roundedMsRatio } from './ratios.js';

describe('local days', () => {
  it('follows daylight saving time: Berlin is UTC+1 before 2026-03-29 01:00Z and UTC+2 after', () => {
    const berlin = new LocalCalendar('Europe/Berlin');
    expect(berlin.dayOf(Date.parse('2026-03-28T22:59:59Z'))).toBe('2026-03-28');
    expect(berlin.dayOf(Date.parse('2026-03-28T23:00:00Z'))).toBe('2026-03-29');
    expect(berlin.dayOf(Date.parse('2026-03-29T21:59:59Z'))).toBe('2026-03-29');
    expect(berlin.dayOf(Date.parse('2026-03-29T22:00:00Z'))).toBe('2026-03-30');
  });

  it('handles half-hour offsets and day arithmetic across months', () => {
    const kolkata = new LocalCalendar('Asia/Kolkata');
    expect(kolkata.dayOf(Date.parse('2026-07-01T18:29:59Z'))).toBe('2026-07-01');
    expect(kolkata.dayOf(Date.parse('2026-07-01T18:30:00Z'))).toBe('2026-07-02');
    expect(addDays('2026-07-31', -29)).toBe('2026-07-02');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(monthOf('2026-07-31')).toBe('2026-07-01');
    expect(nextMonth('2026-12-01')).toBe('2027-01-01');
  });

  it('parses ISO-8601 with offset and epoch ms, and nothing else', () => {
    expect(parseEventTime('2026-03-01T10:00:00.000Z')).toBe(Date.parse('2026-03-01T10:00:00Z'));
    expect(parseEventTime('2026-03-01T11:00:00+01:00')).toBe(Date.parse('2026-03-01T10:00:00Z'));
    expect(parseEventTime(1_772_359_200_000)).toBe(1_772_359_200_000);
    expect(parseEventTime('2026-03-01T10:00:00')).toBeNull();
    expect(parseEventTime('1772359200000')).toBeNull();
    expect(parseEventTime(1.5)).toBeNull();
  });
});

describe('money and ratios', () => {
  it('keeps decimals exact and rounds half up at 6 places', () => {
    expect(formatMicros(toMicros(parseDecimal('19.99')))).toBe('19.990000');
    expect(formatMicros(toMicros(parseDecimal('0.0000015')))).toBe('0.000002');
    expect(formatMicros(toMicros(parseDecimal('1.2e3')))).toBe('1200.000000');
  });

  it('rounds a ms ratio to the nearest whole ms, a tie to even', () => {
    expect(roundedMsRatio(2_700_000, 2)).toBe(1_350_000);
    expect(roundedMsRatio(10, 3)).toBe(3);
    expect(roundedMsRatio(11, 3)).toBe(4);
    expect(roundedMsRatio(1, 2)).toBe(0);
    expect(roundedMsRatio(3, 2)).toBe(2);
    expect(roundedMsRatio(5, 0)).toBe(0);
  });

  it('ranks with ties: 10, 10, 30, 0 → 33.3, 33.3, 100, 0', () => {
    expect(activityRanks([10, 10, 30, 0])).toEqual([100 / 3, 100 / 3, 100, 0]);
    expect(activityRanks([5])).toEqual([0]);
  });
});
