import { describe, expect, it } from 'vitest';
import { formatRefusal, judgeLine, RefusalLog, tooLongErrors, type Refusal } from './refusals.js';

const USAGE = {
  type: 'usage',
  id: 'u-1',
  tenant: 'acme',
  ts: '2025-03-01T10:00:00.000Z',
  accountId: 'acc-1',
  userId: 'usr-1',
};

describe('judgeLine', () => {
  it('accepts a valid event and keeps its own ts and tenant', () => {
    const outcome = judgeLine(JSON.stringify(USAGE));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.valid.event).toMatchObject({ tenant: 'acme', ts: '2025-03-01T10:00:00.000Z' });
  });

  it('refuses invalid JSON with the parser message', () => {
    const outcome = judgeLine('{"type":"usage",');
    expect(outcome).toEqual({ ok: false, errors: [expect.stringMatching(/^invalid JSON: .+/)] });
  });

  it('refuses an invalid event naming type.field and the rule', () => {
    const { userId: _userId, ...rest } = USAGE;
    expect(judgeLine(JSON.stringify({ ...rest, count: 0 }))).toEqual({
      ok: false,
      errors: [
        'usage.userId: required',
        'usage.count: must be an integer ≥ 1 (at most 2147483647)',
      ],
    });
  });

  it('needs the tenant on the line: there is no API key to take it from', () => {
    const { tenant: _tenant, ...rest } = USAGE;
    expect(judgeLine(JSON.stringify(rest))).toEqual({ ok: false, errors: ['tenant: required'] });
  });
});

describe('refusal reporting', () => {
  it('formats FILE:LINE: reasons', () => {
    expect(formatRefusal({ file: 'a.ndjson', line: 7, errors: ['x: required', 'y: bad'] })).toBe(
      'a.ndjson:7: x: required; y: bad',
    );
    expect(tooLongErrors(12, 10)).toEqual(['line is 12 bytes, longer than the limit of 10 bytes']);
  });

  it('keeps the first N, counts all, and hands every one to the sink', async () => {
    const sunk: Refusal[] = [];
    const log = new RefusalLog(2, (refusal) => {
      sunk.push(refusal);
      return Promise.resolve();
    });
    for (let line = 1; line <= 5; line++) await log.add({ file: 'f', line, errors: ['e'] });
    expect(log.count).toBe(5);
    expect(log.first.map((refusal) => refusal.line)).toEqual([1, 2]);
    expect(sunk.map((refusal) => refusal.line)).toEqual([1, 2, 3, 4, 5]);
  });
});
