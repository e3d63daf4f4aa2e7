import { describe, expect, it } from 'vitest';
import { avroType } from './avro-types.js';
import { toCanonicalJson } from './canonical.js';
import {
  EVENT_TYPES,
  type CanonicalEventByType,
  type EventType,
  type RecordBySchemaName,
} from './generated/index.js';
import { minimalEvents, validEvents } from './test-fixtures.js';
import { formatErrors, validateEvent, type ValidationResult } from './validate.js';

const ABSENT = Symbol('absent');

function mutate(type: EventType, changes: Record<string, unknown>): Record<string, unknown> {
  const event = validEvents()[type];
  for (const [key, value] of Object.entries(changes)) {
    if (value === ABSENT) Reflect.deleteProperty(event, key);
    else event[key] = value;
  }
  return event;
}

/** The accepted event of `type`, or a failure that shows why it was refused. */
function accepted<T extends EventType>(
  type: T,
  input: unknown,
): { event: CanonicalEventByType[T]; record: RecordBySchemaName[T] } {
  const result = validateEvent(input);
  if (!result.ok || result.type !== type) {
    throw new Error(`expected a valid ${type}: ${messages(result).join('; ')}`);
  }
  return result as unknown as { event: CanonicalEventByType[T]; record: RecordBySchemaName[T] };
}

function messages(result: ValidationResult): string[] {
  return result.ok ? [] : result.errors.map((error) => error.message);
}

// Every rule of CONTRACT §1, each broken once: [event type, changes, the exact expected message].
const refusals: [EventType, Record<string, unknown>, string][] = [
  // Common fields.
  ['usage', { type: ABSENT }, 'type: required'],
  [
    'usage',
    { type: 'pageview' },
    'type: must be one of usage, account, user, subscription, invoice, ticket',
  ],
  ['usage', { id: ABSENT }, 'id: required'],
  ['usage', { id: '' }, 'id: must be a string of 1 to 128 characters'],
  ['usage', { id: 'x'.repeat(129) }, 'id: must be a string of 1 to 128 characters'],
  ['usage', { id: 42 }, 'id: must be a string of 1 to 128 characters'],
  ['usage', { tenant: ABSENT }, 'tenant: required'],
  ['usage', { tenant: 'Acme' }, 'tenant: must match ^[a-z0-9][a-z0-9_-]{0,62}$'],
  ['usage', { tenant: '-acme' }, 'tenant: must match ^[a-z0-9][a-z0-9_-]{0,62}$'],
  ['usage', { tenant: 'a'.repeat(64) }, 'tenant: must match ^[a-z0-9][a-z0-9_-]{0,62}$'],
  ['usage', { ts: ABSENT }, 'ts: required'],
  [
    'usage',
    { ts: '2026-03-01T10:00:00' },
    'ts: must be ISO-8601 with an offset or epoch milliseconds',
  ],
  ['usage', { ts: '2026-03-01' }, 'ts: must be ISO-8601 with an offset or epoch milliseconds'],
  [
    'usage',
    { ts: '2026-02-30T10:00:00Z' },
    'ts: must be ISO-8601 with an offset or epoch milliseconds',
  ],
  [
    'usage',
    { ts: '2026-03-01T24:00:00Z' },
    'ts: must be ISO-8601 with an offset or epoch milliseconds',
  ],
  [
    'usage',
    { ts: '2026-03-01T10:00:00+0100' },
    'ts: must be ISO-8601 with an offset or epoch milliseconds',
  ],
  [
    'usage',
    { ts: 1_772_359_200_000.5 },
    'ts: must be ISO-8601 with an offset or epoch milliseconds',
  ],
  ['usage', { ts: '1772359200000' }, 'ts: must be ISO-8601 with an offset or epoch milliseconds'],
  [
    'usage',
    { ts: 1_772_359_200 },
    'ts: must be between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59.999Z',
  ],
  [
    'usage',
    { ts: 1_772_359_200_000_000 },
    'ts: must be between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59.999Z',
  ],
  [
    'usage',
    { ts: '1999-12-31T23:59:59.999Z' },
    'ts: must be between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59.999Z',
  ],
  ['usage', { surprise: 1 }, 'usage.surprise: unknown field'],
  // usage
  ['usage', { accountId: ABSENT }, 'usage.accountId: required'],
  ['usage', { userId: ABSENT }, 'usage.userId: required'],
  ['usage', { userId: null }, 'usage.userId: required'],
  [
    'usage',
    { product: 'p'.repeat(257) },
    'usage.product: must be a string of at most 256 characters',
  ],
  ['usage', { module: 7 }, 'usage.module: must be a string of at most 256 characters'],
  [
    'usage',
    { feature: 'f'.repeat(257) },
    'usage.feature: must be a string of at most 256 characters',
  ],
  ['usage', { count: 0 }, 'usage.count: must be an integer ≥ 1 (at most 2147483647)'],
  ['usage', { count: 1.5 }, 'usage.count: must be an integer ≥ 1 (at most 2147483647)'],
  ['usage', { count: '2' }, 'usage.count: must be an integer ≥ 1 (at most 2147483647)'],
  ['usage', { properties: ['a'] }, 'usage.properties: must be an object of string values'],
  [
    'usage',
    { properties: { plan: 3 } },
    'usage.properties.plan: must be a string of at most 4096 characters',
  ],
  // account
  ['account', { accountId: ABSENT }, 'account.accountId: required'],
  ['account', { parentId: '' }, 'account.parentId: must be a string of 1 to 128 characters'],
  ['account', { joinDate: '2026-02-29' }, 'account.joinDate: must be a calendar date YYYY-MM-DD'],
  ['account', { joinDate: '2026-3-1' }, 'account.joinDate: must be a calendar date YYYY-MM-DD'],
  [
    'account',
    { renewalDate: '2026-13-01' },
    'account.renewalDate: must be a calendar date YYYY-MM-DD',
  ],
  [
    'account',
    { renewalDate: '1899-12-31' },
    'account.renewalDate: must be between 1900-01-01 and 2299-12-31',
  ],
  [
    'account',
    { attributes: { tier: null } },
    'account.attributes.tier: must be a string of at most 4096 characters',
  ],
  // user
  ['user', { userId: ABSENT }, 'user.userId: required'],
  ['user', { accountId: ABSENT }, 'user.accountId: required'],
  ['user', { email: false }, 'user.email: must be a string of at most 320 characters'],
  // subscription
  ['subscription', { subscriptionId: ABSENT }, 'subscription.subscriptionId: required'],
  ['subscription', { accountId: ABSENT }, 'subscription.accountId: required'],
  ['subscription', { action: ABSENT }, 'subscription.action: required'],
  [
    'subscription',
    { action: 'pause' },
    'subscription.action: must be one of start, change, renewal, cancel',
  ],
  [
    'subscription',
    { billingPeriodMonths: 2 },
    'subscription.billingPeriodMonths: must be one of 1, 3, 6, 12, 24',
  ],
  ['subscription', { amount: ABSENT }, 'subscription.amount: required unless action is cancel'],
  ['subscription', { amount: -1 }, 'subscription.amount: must be ≥ 0'],
  ['subscription', { amount: '-0.01' }, 'subscription.amount: must be ≥ 0'],
  [
    'subscription',
    { amount: '1.0000001' },
    'subscription.amount: must have at most 6 decimal places',
  ],
  [
    'subscription',
    { amount: 'NaN' },
    'subscription.amount: must be a decimal number (a JSON number or a string like "12.50")',
  ],
  ['subscription', { amount: Number.NaN }, 'subscription.amount: must be a finite decimal number'],
  [
    'subscription',
    { amount: Number.POSITIVE_INFINITY },
    'subscription.amount: must be a finite decimal number',
  ],
  [
    'subscription',
    { amount: '12,50' },
    'subscription.amount: must be a decimal number (a JSON number or a string like "12.50")',
  ],
  ['subscription', { amount: '1e12' }, 'subscription.amount: must be at most 999999999999.999999'],
  [
    'subscription',
    { quantity: 0 },
    'subscription.quantity: must be an integer ≥ 1 (at most 2147483647)',
  ],
  [
    'subscription',
    { currency: 'eur' },
    'subscription.currency: must be an ISO 4217 code (3 upper-case letters)',
  ],
  // invoice
  ['invoice', { invoiceId: ABSENT }, 'invoice.invoiceId: required'],
  ['invoice', { accountId: ABSENT }, 'invoice.accountId: required'],
  ['invoice', { issuedAt: ABSENT }, 'invoice.issuedAt: required'],
  [
    'invoice',
    { issuedAt: '2026-03-01T00:00:00' },
    'invoice.issuedAt: must be ISO-8601 with an offset or epoch milliseconds',
  ],
  ['invoice', { recurringAmount: '-5' }, 'invoice.recurringAmount: must be ≥ 0'],
  [
    'invoice',
    { nonRecurringAmount: true },
    'invoice.nonRecurringAmount: must be a decimal number (a JSON number or a string like "12.50")',
  ],
  [
    'invoice',
    { paidAt: 'yesterday' },
    'invoice.paidAt: must be ISO-8601 with an offset or epoch milliseconds',
  ],
  [
    'invoice',
    { currency: 'EURO' },
    'invoice.currency: must be an ISO 4217 code (3 upper-case letters)',
  ],
  // ticket
  ['ticket', { ticketId: ABSENT }, 'ticket.ticketId: required'],
  ['ticket', { accountId: ABSENT }, 'ticket.accountId: required'],
  ['ticket', { status: ABSENT }, 'ticket.status: required'],
  ['ticket', { status: 'solved' }, 'ticket.status: must be one of open, pending, closed'],
  ['ticket', { createdAt: ABSENT }, 'ticket.createdAt: required'],
  ['ticket', { closedAt: ABSENT }, 'ticket.closedAt: required when status is closed'],
  [
    'ticket',
    { closedAt: 12 },
    'ticket.closedAt: must be between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59.999Z',
  ],
];

describe('validateEvent refuses each broken rule of CONTRACT §1, naming the field', () => {
  it.each(refusals)('%s %j → %s', (type, changes, expected) => {
    const result = validateEvent(mutate(type, changes));
    expect(result.ok).toBe(false);
    expect(messages(result)).toEqual([expected]);
  });

  it('refuses what is not a JSON object', () => {
    for (const input of [null, 42, 'usage', [validEvents().usage]]) {
      expect(messages(validateEvent(input))).toEqual(['event: must be a JSON object']);
    }
  });

  it('reports every broken rule at once, common fields first', () => {
    const result = validateEvent({ type: 'usage', id: '', ts: 'now', count: 0 });
    expect(messages(result)).toEqual([
      'id: must be a string of 1 to 128 characters',
      'tenant: required',
      'ts: must be ISO-8601 with an offset or epoch milliseconds',
      'usage.accountId: required',
      'usage.userId: required',
      'usage.count: must be an integer ≥ 1 (at most 2147483647)',
    ]);
    expect(result.ok ? '' : formatErrors(result.errors)).toContain('tenant: required; ts:');
  });

  it('treats a `__proto__` key as an unknown field, not as a prototype', () => {
    const input: unknown = JSON.parse('{"__proto__": {"count": 5}}');
    const result = validateEvent({ ...validEvents().usage, ...(input as object) });
    expect(messages(result)).toEqual(['usage.__proto__: unknown field']);
  });
});

describe('the tenant of the API key', () => {
  it('fills in a missing body tenant', () => {
    const event = mutate('usage', { tenant: ABSENT });
    const result = validateEvent(event, { tenant: 'globex' });
    expect(result.ok && result.record.tenant).toBe('globex');
  });

  it('accepts the same tenant in the body', () => {
    expect(validateEvent(validEvents().usage, { tenant: 'acme' }).ok).toBe(true);
  });

  it('refuses a different tenant in the body', () => {
    const result = validateEvent(validEvents().usage, { tenant: 'globex' });
    expect(messages(result)).toEqual(["tenant: does not match the API key's tenant"]);
  });
});

describe('valid events', () => {
  it.each(EVENT_TYPES)(
    '%s: accepted, encoded by avsc and read back to the same canonical JSON',
    (type) => {
      for (const input of [validEvents()[type], minimalEvents()[type]]) {
        const result = validateEvent(input);
        expect(messages(result)).toEqual([]);
        if (!result.ok) return;
        expect(result.type).toBe(type);
        const avro = avroType(type);
        const decoded: unknown = avro.fromBuffer(avro.toBuffer(result.record));
        expect(decoded).toEqual(result.record);
        expect(toCanonicalJson(type, decoded as typeof result.record)).toEqual(result.event);
        // The canonical rendering is itself valid input and means the same record.
        const again = validateEvent(result.event);
        expect(again.ok && again.record).toEqual(result.record);
      }
    },
  );

  it('applies the defaults of CONTRACT §1', () => {
    const usage = validateEvent(minimalEvents().usage);
    expect(usage.ok && usage.event).toEqual({
      type: 'usage',
      id: 'u',
      tenant: 'acme',
      ts: '2026-03-01T10:00:00.000Z',
      accountId: 'a',
      userId: 'x',
      count: 1,
      properties: {},
    });
    const sub = accepted('subscription', {
      ...minimalEvents().subscription,
      action: 'start',
      amount: 10,
    });
    expect([sub.record.billingPeriodMonths, sub.record.quantity]).toEqual([1, 1]);
    const invoice = accepted('invoice', minimalEvents().invoice);
    expect(invoice.event).toMatchObject({
      recurringAmount: '0',
      nonRecurringAmount: '0',
    });
  });

  it('renders instants in UTC and keeps dates as calendar dates', () => {
    const user = accepted('user', validEvents().user);
    expect(user.event.ts).toBe('2026-03-01T10:00:00.000Z');
    const account = accepted('account', validEvents().account);
    expect(account.record.joinDate).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect([account.event.joinDate, account.event.renewalDate]).toEqual([
      '2024-02-29',
      '2027-02-28',
    ]);
    const invoice = accepted('invoice', validEvents().invoice);
    expect(invoice.record.paidAt).toBe(Date.UTC(2026, 2, 5, 17));
  });

  it('truncates sub-millisecond fractions', () => {
    const result = validateEvent(mutate('usage', { ts: '2026-03-01T10:00:00.123999+00:00' }));
    expect(result.ok && result.record.ts).toBe(Date.UTC(2026, 2, 1, 10, 0, 0, 123));
  });

  it('accepts a null parentId as a root account', () => {
    const result = accepted('account', mutate('account', { parentId: null }));
    expect(result.record.parentId).toBeNull();
    expect('parentId' in result.event).toBe(false);
  });

  it('accepts a cancel without an amount and an open ticket without closedAt', () => {
    expect(validateEvent(mutate('subscription', { action: 'cancel', amount: ABSENT })).ok).toBe(
      true,
    );
    expect(validateEvent(mutate('ticket', { status: 'open', closedAt: ABSENT })).ok).toBe(true);
  });
});

describe('money is exact', () => {
  const amountOf = (amount: unknown): string | null | undefined => {
    const result = validateEvent(mutate('subscription', { amount }));
    return result.ok && result.type === 'subscription' ? result.record.amount : undefined;
  };

  it.each([
    ['0.1', '0.1'],
    [0.1, '0.1'],
    [0.2, '0.2'],
    ['0.3', '0.3'],
    ['2000.00', '2000'],
    [2000.0, '2000'],
    ['166.666667', '166.666667'],
    [166.666667, '166.666667'],
    ['1.5000000', '1.5'],
    ['0', '0'],
    ['-0', '0'],
    ['1e3', '1000'],
    [1e-6, '0.000001'],
    ['999999999999.999999', '999999999999.999999'],
    [9007199254.740993, '9007199254.740993'],
  ])('%j is read as %s', (input, expected) => {
    expect(amountOf(input)).toBe(expected);
  });

  it('0.1 + 0.2 stays 0.3 through Avro', () => {
    const a = validateEvent(mutate('invoice', { recurringAmount: 0.1, nonRecurringAmount: 0.2 }));
    if (!a.ok || a.type !== 'invoice') throw new Error('expected a valid invoice');
    const avro = avroType('invoice');
    const back = avro.fromBuffer(avro.toBuffer(a.record)) as typeof a.record;
    expect([back.recurringAmount, back.nonRecurringAmount]).toEqual(['0.1', '0.2']);
  });
});
