/**
 * CONTRACT §1, checked on one NDJSON line. Deliberately written from the contract alone (not
 * @cs/schemas): the reference must not inherit the pipeline's mistakes. Only lines that pass are
 * reference input, exactly as the pipeline only processes what its edge accepted.
 */
import { parseEventTime } from './local-time.js';

const TENANT = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^\d+(\.\d+)?([eE][+-]?\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;
const BILLING_PERIODS = new Set([1, 3, 6, 12, 24]);
const MAX_FIELD = 256;

interface Common {
  readonly id: string;
  readonly tenant: string;
  /** Epoch ms. */
  readonly ts: number;
}

export interface UsageEvent extends Common {
  readonly type: 'usage';
  readonly accountId: string;
  readonly userId: string;
  readonly product: string;
  readonly module: string;
  /** `''` for plain activity. */
  readonly feature: string;
  readonly count: number;
}

export interface AccountRecord extends Common {
  readonly type: 'account';
  readonly accountId: string;
  readonly name: string | null;
  readonly parentId: string | null;
  readonly joinDate: string | null;
  readonly renewalDate: string | null;
  readonly source: string | null;
}

export interface UserRecord extends Common {
  readonly type: 'user';
  readonly userId: string;
  readonly accountId: string;
  readonly email: string | null;
  readonly role: string | null;
}

export type SubscriptionAction = 'start' | 'change' | 'renewal' | 'cancel';

export interface SubscriptionEvent extends Common {
  readonly type: 'subscription';
  readonly subscriptionId: string;
  readonly accountId: string;
  readonly action: SubscriptionAction;
  readonly billingPeriodMonths: number;
  /** Decimal text; `'0'` for a cancel without amount. */
  readonly amount: string;
  readonly quantity: number;
}

export interface InvoiceRecord extends Common {
  readonly type: 'invoice';
  readonly invoiceId: string;
  readonly accountId: string;
  readonly issuedAt: number;
  readonly recurringAmount: string;
  readonly nonRecurringAmount: string;
  readonly paidAt: number | null;
}

export type TicketStatus = 'open' | 'pending' | 'closed';

export interface TicketRecord extends Common {
  readonly type: 'ticket';
  readonly ticketId: string;
  readonly accountId: string;
  readonly status: TicketStatus;
  readonly createdAt: number;
  readonly closedAt: number | null;
}

export type CanonicalEvent =
  UsageEvent | AccountRecord | UserRecord | SubscriptionEvent | InvoiceRecord | TicketRecord;

export type LineOutcome =
  | { readonly kind: 'ok'; readonly event: CanonicalEvent }
  | { readonly kind: 'refused'; readonly reason: string };

class Refusal extends Error {}

type Fields = Readonly<Record<string, unknown>>;

function refuse(field: string, rule: string): never {
  throw new Refusal(`${field}: ${rule}`);
}

function isPresent(fields: Fields, field: string): boolean {
  return fields[field] !== undefined && fields[field] !== null;
}

function requiredString(fields: Fields, field: string, max = MAX_FIELD): string {
  const value = fields[field];
  if (typeof value !== 'string' || value.length < 1 || value.length > max) {
    refuse(field, `required string of 1..${max} chars`);
  }
  return value;
}

function optionalString(fields: Fields, field: string): string | null {
  if (!isPresent(fields, field)) return null;
  const value = fields[field];
  if (typeof value !== 'string' || value.length > MAX_FIELD) {
    refuse(field, `string of at most ${MAX_FIELD} chars`);
  }
  return value;
}

function optionalStringMap(fields: Fields, field: string): void {
  if (!isPresent(fields, field)) return;
  const value = fields[field];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    refuse(field, 'object of string to string');
  }
  for (const entry of Object.values(value)) {
    if (typeof entry !== 'string') refuse(field, 'object of string to string');
  }
}

function optionalInteger(fields: Fields, field: string, fallback: number): number {
  if (!isPresent(fields, field)) return fallback;
  const value = fields[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    refuse(field, 'integer >= 1');
  }
  return value;
}

function timestamp(fields: Fields, field: string, required: boolean): number | null {
  if (!isPresent(fields, field)) {
    if (required) refuse(field, 'required ISO-8601 with offset or epoch milliseconds');
    return null;
  }
  const ms = parseEventTime(fields[field]);
  if (ms === null) refuse(field, 'ISO-8601 with offset or epoch milliseconds');
  return ms;
}

function decimal(fields: Fields, field: string, required: boolean): string | null {
  if (!isPresent(fields, field)) {
    if (required) refuse(field, 'required decimal >= 0');
    return null;
  }
  const value = fields[field];
  // NOTE: a JSON number has already lost its source text; String() gives its shortest exact
  // rendering, which is what a producer sending 19.99 meant.
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text)) refuse(field, 'decimal >= 0');
  return text;
}

function localDate(fields: Fields, field: string): string | null {
  const value = optionalString(fields, field);
  if (value === null) return null;
  if (!LOCAL_DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    refuse(field, 'date YYYY-MM-DD');
  }
  if (new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    refuse(field, 'date YYYY-MM-DD');
  }
  return value;
}

function oneOf<T extends string>(fields: Fields, field: string, allowed: readonly T[]): T {
  const value = fields[field];
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) refuse(field, `one of ${allowed.join(', ')}`);
  return match;
}

function commonFields(fields: Fields): Common {
  const id = requiredString(fields, 'id', 128);
  const tenant = fields['tenant'];
  if (typeof tenant !== 'string' || !TENANT.test(tenant)) {
    refuse('tenant', 'string matching ^[a-z0-9][a-z0-9_-]{0,62}$');
  }
  const ts = timestamp(fields, 'ts', true) ?? refuse('ts', 'required');
  return { id, tenant, ts };
}

function typedEvent(fields: Fields): CanonicalEvent {
  const type = oneOf(fields, 'type', [
    'usage',
    'account',
    'user',
    'subscription',
    'invoice',
    'ticket',
  ] as const);
  const common = commonFields(fields);
  switch (type) {
    case 'usage':
      optionalStringMap(fields, 'properties');
      return {
        id: common.id,
        tenant: common.tenant,
        ts: common.ts,
        type,
        accountId: requiredString(fields, 'accountId'),
        userId: requiredString(fields, 'userId'),
        product: optionalString(fields, 'product') ?? '',
        module: optionalString(fields, 'module') ?? '',
        feature: optionalString(fields, 'feature') ?? '',
        count: optionalInteger(fields, 'count', 1),
      };
    case 'account': {
      optionalStringMap(fields, 'attributes');
      return {
        id: common.id,
        tenant: common.tenant,
        ts: common.ts,
        type,
        accountId: requiredString(fields, 'accountId'),
        name: optionalString(fields, 'name'),
        parentId: isPresent(fields, 'parentId') ? requiredString(fields, 'parentId') : null,
        joinDate: localDate(fields, 'joinDate'),
        renewalDate: localDate(fields, 'renewalDate'),
        source: optionalString(fields, 'source'),
      };
    }
    case 'user':
      optionalStringMap(fields, 'attributes');
      return {
        id: common.id,
        tenant: common.tenant,
        ts: common.ts,
        type,
        userId: requiredString(fields, 'userId'),
        accountId: requiredString(fields, 'accountId'),
        email: optionalString(fields, 'email'),
        role: optionalString(fields, 'role'),
      };
    case 'subscription': {
      const action = oneOf(fields, 'action', ['start', 'change', 'renewal', 'cancel'] as const);
      const period = isPresent(fields, 'billingPeriodMonths') ? fields['billingPeriodMonths'] : 1;
      if (typeof period !== 'number' || !BILLING_PERIODS.has(period)) {
        refuse('billingPeriodMonths', 'one of 1, 3, 6, 12, 24');
      }
      optionalString(fields, 'plan');
      currency(fields);
      return {
        id: common.id,
        tenant: common.tenant,
        ts: common.ts,
        type,
        subscriptionId: requiredString(fields, 'subscriptionId'),
        accountId: requiredString(fields, 'accountId'),
        action,
        billingPeriodMonths: period,
        amount: decimal(fields, 'amount', action !== 'cancel') ?? '0',
        quantity: optionalInteger(fields, 'quantity', 1),
      };
    }
    case 'invoice':
      currency(fields);
      return {
        id: common.id,
        tenant: common.tenant,
        ts: common.ts,
        type,
        invoiceId: requiredString(fields, 'invoiceId'),
        accountId: requiredString(fields, 'accountId'),
        issuedAt: timestamp(fields, 'issuedAt', true) ?? refuse('issuedAt', 'required'),
        recurringAmount: decimal(fields, 'recurringAmount', false) ?? '0',
        nonRecurringAmount: decimal(fields, 'nonRecurringAmount', false) ?? '0',
        paidAt: timestamp(fields, 'paidAt', false),
      };
    case 'ticket': {
      const status = oneOf(fields, 'status', ['open', 'pending', 'closed'] as const);
      optionalString(fields, 'userId');
      optionalString(fields, 'priority');
      optionalString(fields, 'ticketType');
      return {
        id: common.id,
        tenant: common.tenant,
        ts: common.ts,
        type,
        ticketId: requiredString(fields, 'ticketId'),
        accountId: requiredString(fields, 'accountId'),
        status,
        createdAt: timestamp(fields, 'createdAt', true) ?? refuse('createdAt', 'required'),
        closedAt: timestamp(fields, 'closedAt', status === 'closed'),
      };
    }
  }
}

function currency(fields: Fields): void {
  const value = optionalString(fields, 'currency');
  if (value !== null && !CURRENCY.test(value)) refuse('currency', 'ISO 4217 code');
}

/** Parses and checks one NDJSON line against CONTRACT §1. */
export function validateLine(line: string): LineOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return { kind: 'refused', reason: `line: not JSON (${String(error)})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'refused', reason: 'line: not a JSON object' };
  }
  try {
    return { kind: 'ok', event: typedEvent(parsed as Fields) };
  } catch (error) {
    if (error instanceof Refusal) return { kind: 'refused', reason: error.message };
    throw error;
  }
}
