import type {
  AccountEvent,
  InvoiceEvent,
  SubscriptionEvent,
  TicketEvent,
  UsageEvent,
  UserEvent,
} from '@cs/schemas';

/**
 * What each call takes, derived from the canonical event types generated from the Avro schemas
 * (never a hand-kept twin): the envelope (`type`, `tenant`) is the client's, `id` and `ts` are
 * optional (generated / now), fields with a default are optional, and instants and amounts
 * accept the forms validation accepts.
 */

/** ISO-8601 with an offset, epoch milliseconds, or a Date. */
export type Instant = string | number | Date;
/** A decimal string (exact) or a JSON number. */
export type Amount = string | number;

interface Envelope {
  /** The deduplication key; a random UUID when absent. Reuse it when retrying a call yourself. */
  id?: string;
  /** When it happened / was recorded; now when absent. */
  ts?: Instant;
}

type Fields<E, Defaulted extends keyof E = never> = Omit<
  E,
  'type' | 'id' | 'tenant' | 'ts' | Defaulted
> &
  Partial<Pick<E, Defaulted>>;

/** Replaces the types of some fields (keeping the rest as generated). */
type With<T, Over> = Omit<T, keyof Over> & Over;

export type TrackInput = Fields<UsageEvent, 'count' | 'properties'> & Envelope;

export type IdentifyInput = Fields<UserEvent, 'attributes'> & Envelope;

export type GroupInput = With<
  Fields<AccountEvent, 'attributes'>,
  {
    /** Absent or null: a root account. */
    parentId?: string | null;
  }
> &
  Envelope;

export type SubscriptionInput = With<
  Fields<SubscriptionEvent, 'billingPeriodMonths' | 'quantity'>,
  { amount?: Amount }
> &
  Envelope;

export type InvoiceInput = With<
  Fields<InvoiceEvent, 'recurringAmount' | 'nonRecurringAmount'>,
  { issuedAt: Instant; paidAt?: Instant; recurringAmount?: Amount; nonRecurringAmount?: Amount }
> &
  Envelope;

export type TicketInput = With<Fields<TicketEvent>, { createdAt: Instant; closedAt?: Instant }> &
  Envelope;

export interface InputByType {
  usage: TrackInput;
  user: IdentifyInput;
  account: GroupInput;
  subscription: SubscriptionInput;
  invoice: InvoiceInput;
  ticket: TicketInput;
}
