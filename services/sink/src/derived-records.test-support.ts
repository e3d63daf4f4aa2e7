/** Derived records for tests, with defaults so a test states only what it is about. */
import type {
  AccountMrrRecord,
  AccountStateRecord,
  EnrichedUsageRecord,
  HierarchyEdgeRecord,
  InvoiceStateRecord,
  LateEventRecord,
  MrrMovementRecord,
  SessionRecord,
  TicketStateRecord,
  TimeSliceRecord,
  UserStateRecord,
} from '@cs/schemas';

/** Days since 1970-01-01 of `YYYY-MM-DD`. */
export const epochDay = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 86_400_000;
/** Epoch ms of a UTC day and time. */
export const at = (day: string, time = '10:00:00'): number => Date.parse(`${day}T${time}.000Z`);

export const usage = (
  fields: Partial<EnrichedUsageRecord> & { eventId: string },
): EnrichedUsageRecord => ({
  tenant: 'acme',
  ts: at('2026-07-01'),
  day: epochDay('2026-07-01'),
  accountId: 'a1',
  userId: 'u1',
  product: 'app',
  module: null,
  feature: null,
  count: 1,
  accountPath: ['a1'],
  role: null,
  properties: {},
  ...fields,
});

export const late = (fields: Partial<LateEventRecord> & { eventId: string }): LateEventRecord => ({
  tenant: 'acme',
  userId: 'u1',
  accountId: 'a1',
  ts: at('2026-06-28'),
  day: epochDay('2026-06-28'),
  heldFromDay: epochDay('2026-06-30'),
  ...fields,
});

export const slice = (fields: Partial<TimeSliceRecord>): TimeSliceRecord => ({
  tenant: 'acme',
  userId: 'u1',
  accountId: 'a1',
  day: epochDay('2026-07-01'),
  sessionId: null,
  product: 'app',
  module: '',
  ms: 0,
  sign: 1,
  ...fields,
});

export const session = (fields: Partial<SessionRecord> & { sessionId: string }): SessionRecord => ({
  tenant: 'acme',
  userId: 'u1',
  accountId: 'a1',
  day: epochDay('2026-07-01'),
  startedAt: at('2026-07-01'),
  endedAt: at('2026-07-01'),
  durationMs: 0,
  events: 1,
  moduleTimeMs: {},
  sign: 1,
  ...fields,
});

export const account = (
  fields: Partial<AccountStateRecord> & { accountId: string },
): AccountStateRecord => ({
  tenant: 'acme',
  name: null,
  parentId: null,
  joinDate: null,
  renewalDate: null,
  source: null,
  attributes: {},
  ts: at('2026-06-01'),
  day: epochDay('2026-06-01'),
  ...fields,
});

export const user = (fields: Partial<UserStateRecord> & { userId: string }): UserStateRecord => ({
  tenant: 'acme',
  accountId: 'a1',
  email: null,
  role: null,
  attributes: {},
  ts: at('2026-06-01'),
  day: epochDay('2026-06-01'),
  ...fields,
});

export const edge = (accountId: string, parentId: string | null): HierarchyEdgeRecord => ({
  tenant: 'acme',
  accountId,
  parentId,
  ts: at('2026-06-01'),
});

export const movement = (
  fields: Partial<MrrMovementRecord> &
    Pick<MrrMovementRecord, 'accountId' | 'kind' | 'mrrBefore' | 'mrrAfter' | 'delta'>,
): MrrMovementRecord => ({
  tenant: 'acme',
  at: at('2026-05-10'),
  day: epochDay('2026-05-10'),
  sign: 1,
  ...fields,
});

export const accountMrr = (
  fields: Partial<AccountMrrRecord> & Pick<AccountMrrRecord, 'accountId' | 'mrr' | 'seq'>,
): AccountMrrRecord => ({
  tenant: 'acme',
  at: at('2026-05-10'),
  day: epochDay('2026-05-10'),
  sign: 1,
  ...fields,
});

export const invoice = (
  fields: Partial<InvoiceStateRecord> & { invoiceId: string },
): InvoiceStateRecord => ({
  tenant: 'acme',
  accountId: 'a1',
  issuedAt: at('2026-07-01'),
  issuedDay: epochDay('2026-07-01'),
  recurringAmount: '100',
  nonRecurringAmount: '0',
  paidAt: null,
  paidDay: null,
  currency: 'EUR',
  ts: at('2026-07-01'),
  ...fields,
});

export const ticket = (
  fields: Partial<TicketStateRecord> & { ticketId: string },
): TicketStateRecord => ({
  tenant: 'acme',
  accountId: 'a1',
  userId: null,
  status: 'open',
  priority: null,
  ticketType: null,
  createdAt: at('2026-07-01'),
  createdDay: epochDay('2026-07-01'),
  closedAt: null,
  closedDay: null,
  ts: at('2026-07-01'),
  ...fields,
});
