import { describe, expect, it } from 'vitest';
import { buildEvent } from './build-event.js';
import { InvalidEventError } from './errors.js';
import { chunkLines } from './gateway-transport.js';

const NOW = Date.UTC(2026, 2, 1, 10, 0, 0);
const ctx = { tenant: 'acme', now: () => NOW };

describe('buildEvent', () => {
  it('fills in a UUID v4 id, now as ts, the tenant and the defaults', () => {
    const valid = buildEvent('usage', { userId: 'u1', accountId: 'a1', feature: 'export' }, ctx);
    const { id, ...rest } = valid.event;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rest).toEqual({
      type: 'usage',
      tenant: 'acme',
      ts: '2026-03-01T10:00:00.000Z',
      accountId: 'a1',
      userId: 'u1',
      feature: 'export',
      count: 1,
      properties: {},
    });
  });

  it('keeps a given id and ts, and takes Dates for instants', () => {
    const valid = buildEvent(
      'invoice',
      {
        id: 'inv-1-v1',
        ts: new Date('2026-02-01T00:00:00Z'),
        invoiceId: 'inv-1',
        accountId: 'a1',
        issuedAt: new Date('2026-02-01T00:00:00Z'),
        recurringAmount: 99.5,
      },
      ctx,
    );
    expect(valid.event).toMatchObject({
      id: 'inv-1-v1',
      ts: '2026-02-01T00:00:00.000Z',
      issuedAt: '2026-02-01T00:00:00.000Z',
      recurringAmount: '99.5',
      nonRecurringAmount: '0',
    });
  });

  it('throws synchronously, naming the field and the rule', () => {
    const call = () =>
      buildEvent('subscription', { subscriptionId: 's1', accountId: 'a1', action: 'start' }, ctx);
    expect(call).toThrow(InvalidEventError);
    expect(call).toThrow('subscription.amount: required unless action is cancel');
    try {
      call();
    } catch (error: unknown) {
      expect(error).toMatchObject({ code: 'INVALID_EVENT', retriable: false });
      expect((error as InvalidEventError).errors.map((e) => e.field)).toEqual([
        'subscription.amount',
      ]);
    }
  });

  it('refuses an invalid Date by field name rather than crashing', () => {
    expect(() =>
      buildEvent(
        'ticket',
        { ticketId: 't', accountId: 'a', status: 'open', createdAt: new Date('nope') },
        ctx,
      ),
    ).toThrow(/ticket\.createdAt: /);
  });

  it('treats undefined optional fields as absent, not as unknown fields', () => {
    const valid = buildEvent('usage', { userId: 'u1', accountId: 'a1', feature: undefined }, ctx);
    expect(valid.event).not.toHaveProperty('feature');
  });

  it('validates a gateway client without a tenant (the write key decides it)', () => {
    const valid = buildEvent(
      'user',
      { userId: 'u1', accountId: 'a1' },
      { tenant: undefined, now: () => NOW },
    );
    expect(valid.type).toBe('user');
  });
});

describe('chunkLines', () => {
  it('keeps each request under the byte limit, never splitting a line', () => {
    expect(chunkLines(['aaaa', 'bbbb', 'cccc', 'dddddddddddd'], 10)).toEqual([
      ['aaaa', 'bbbb'],
      ['cccc'],
      ['dddddddddddd'],
    ]);
  });
});
