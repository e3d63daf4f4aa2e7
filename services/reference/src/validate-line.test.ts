import { describe, expect, it } from 'vitest';
import { validateLine } from './validate-line.js';

const base = { id: 'e1', tenant: 'acme', ts: '2026-07-01T10:00:00.000+02:00' };

function reasonOf(fields: Record<string, unknown>): string {
  const outcome = validateLine(JSON.stringify(fields));
  return outcome.kind === 'refused' ? outcome.reason : 'ok';
}

describe('validateLine (CONTRACT §1)', () => {
  it('accepts ISO-8601 with offset and epoch milliseconds, with defaults filled in', () => {
    const iso = validateLine(
      JSON.stringify({ ...base, type: 'usage', accountId: 'a', userId: 'u' }),
    );
    expect(iso).toEqual({
      kind: 'ok',
      event: expect.objectContaining({
        ts: Date.parse('2026-07-01T08:00:00Z'),
        count: 1,
        module: '',
        feature: '',
      }) as unknown,
    });
    expect(
      reasonOf({ ...base, ts: 1_782_900_000_000, type: 'usage', accountId: 'a', userId: 'u' }),
    ).toBe('ok');
  });

  it('names the field and the rule of a refusal', () => {
    expect(reasonOf({ ...base, type: 'visit' })).toMatch(/^type: one of usage/);
    expect(
      reasonOf({ ...base, ts: '2026-07-01T10:00:00', type: 'usage', accountId: 'a', userId: 'u' }),
    ).toMatch(/^ts:/);
    expect(
      reasonOf({ ...base, tenant: 'Acme', type: 'usage', accountId: 'a', userId: 'u' }),
    ).toMatch(/^tenant:/);
    expect(
      reasonOf({ ...base, id: 'x'.repeat(129), type: 'usage', accountId: 'a', userId: 'u' }),
    ).toMatch(/^id:/);
    expect(reasonOf({ ...base, type: 'usage', accountId: 'a', userId: 'u', count: 0 })).toMatch(
      /^count:/,
    );
    expect(
      reasonOf({ ...base, type: 'usage', accountId: 'a', userId: 'u', module: 'm'.repeat(257) }),
    ).toMatch(/^module:/);
    expect(reasonOf({ ...base, type: 'account', accountId: 'a', joinDate: '2026-02-30' })).toMatch(
      /^joinDate:/,
    );
  });

  it('requires an amount unless the action is a cancel, and a valid billing period', () => {
    const sub = { ...base, type: 'subscription', subscriptionId: 's', accountId: 'a' };
    expect(reasonOf({ ...sub, action: 'start' })).toMatch(/^amount:/);
    expect(reasonOf({ ...sub, action: 'cancel' })).toBe('ok');
    expect(reasonOf({ ...sub, action: 'start', amount: '-1' })).toMatch(/^amount:/);
    expect(reasonOf({ ...sub, action: 'start', amount: 10, billingPeriodMonths: 2 })).toMatch(
      /^billingPeriodMonths:/,
    );
    expect(reasonOf({ ...sub, action: 'start', amount: '19.99', currency: 'eur' })).toMatch(
      /^currency:/,
    );
  });

  it('requires closedAt on a closed ticket', () => {
    const t = { ...base, type: 'ticket', ticketId: 't', accountId: 'a', createdAt: base.ts };
    expect(reasonOf({ ...t, status: 'closed' })).toMatch(/^closedAt:/);
    expect(reasonOf({ ...t, status: 'open' })).toBe('ok');
  });
});
