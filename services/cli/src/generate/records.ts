import type { TenantStream } from './tenant-stream.js';

/**
 * JSON renderings of the entity records of CONTRACT §1. Keys are written in the contract's order
 * (common fields, then the type's own); absent optional fields are left out, not written as null,
 * except `parentId`, which is `null` for some roots because the contract allows both.
 * NOTE: these are local shapes until @cs/schemas publishes the generated record types.
 */
export interface AccountFields {
  accountId: string;
  name: string;
  parentId?: string | null;
  joinDate: string;
  renewalDate?: string;
  source: string;
  attributes: Record<string, string>;
}

export interface UserFields {
  userId: string;
  accountId: string;
  email: string;
  role: string;
  attributes?: Record<string, string>;
}

export interface SubscriptionFields {
  subscriptionId: string;
  accountId: string;
  action: 'start' | 'change' | 'renewal' | 'cancel';
  plan?: string;
  billingPeriodMonths?: 1 | 3 | 6 | 12 | 24;
  amount?: string;
  quantity?: number;
  currency?: string;
}

export interface InvoiceFields {
  invoiceId: string;
  accountId: string;
  issuedAt: string;
  recurringAmount?: string;
  nonRecurringAmount?: string;
  paidAt?: string;
  currency: string;
}

export interface TicketFields {
  ticketId: string;
  accountId: string;
  userId?: string;
  status: 'open' | 'pending' | 'closed';
  priority: string;
  ticketType: string;
  createdAt: string;
  closedAt?: string;
}

type EntityRecord =
  | { type: 'account'; fields: AccountFields }
  | { type: 'user'; fields: UserFields }
  | { type: 'subscription'; fields: SubscriptionFields }
  | { type: 'invoice'; fields: InvoiceFields }
  | { type: 'ticket'; fields: TicketFields };

const ID_PREFIX: Record<EntityRecord['type'], string> = {
  account: 'a-',
  user: 'p-',
  subscription: 's-',
  invoice: 'i-',
  ticket: 'k-',
};

/** One entity record as an NDJSON line, with a fresh id. */
export function renderEntity(stream: TenantStream, ts: number, record: EntityRecord): string {
  return JSON.stringify({
    type: record.type,
    id: stream.nextId(ID_PREFIX[record.type]),
    tenant: stream.name,
    ts: stream.iso.format(ts),
    ...record.fields,
  });
}
