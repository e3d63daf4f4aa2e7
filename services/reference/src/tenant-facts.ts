/**
 * Accepted lines → per-tenant facts: deduplicated usage, the latest state of every entity, the
 * subscription history and the hierarchy. Everything downstream reads only these facts.
 */
import { AccountHierarchy } from './hierarchy.js';
import { LocalCalendar } from './local-time.js';
import type {
  AccountRecord,
  CanonicalEvent,
  InvoiceRecord,
  SubscriptionEvent,
  TicketRecord,
  UsageEvent,
  UserRecord,
} from './validate-line.js';

export interface TenantSettings {
  readonly timezone: string;
  readonly timeoutMinutes: number;
}

export const DEFAULT_SETTINGS: TenantSettings = { timezone: 'UTC', timeoutMinutes: 30 };

export interface LocatedUsage extends UsageEvent {
  /** Local day of `ts`. */
  readonly day: string;
}

/** A record and its arrival position: equal `ts` is broken by arrival (later wins). */
interface Arrived<T> {
  readonly record: T;
  readonly seq: number;
}

export interface TenantFacts {
  readonly tenant: string;
  readonly settings: TenantSettings;
  readonly calendar: LocalCalendar;
  readonly usage: LocatedUsage[];
  readonly accounts: Map<string, AccountRecord>;
  readonly users: Map<string, UserRecord>;
  /** Local day of each user's first `user` record (any record, superseded or not). */
  readonly userKnownSince: Map<string, string>;
  /** In arrival order; `seq` orders actions with equal `ts`. */
  readonly subscriptionActions: Array<Arrived<SubscriptionEvent>>;
  readonly invoices: Map<string, InvoiceRecord>;
  readonly tickets: Map<string, TicketRecord>;
  readonly hierarchy: AccountHierarchy;
}

class TenantFactsBuilder {
  readonly seenIds = new Set<string>();
  readonly facts: TenantFacts;
  private readonly latestAccounts = new Map<string, Arrived<AccountRecord>>();
  private readonly latestUsers = new Map<string, Arrived<UserRecord>>();
  private readonly latestInvoices = new Map<string, Arrived<InvoiceRecord>>();
  private readonly latestTickets = new Map<string, Arrived<TicketRecord>>();

  constructor(tenant: string, settings: TenantSettings) {
    this.facts = {
      tenant,
      settings,
      calendar: new LocalCalendar(settings.timezone),
      usage: [],
      accounts: new Map(),
      users: new Map(),
      userKnownSince: new Map(),
      subscriptionActions: [],
      invoices: new Map(),
      tickets: new Map(),
      hierarchy: new AccountHierarchy(),
    };
  }

  add(event: CanonicalEvent, seq: number): void {
    // Deduplication: the first occurrence of tenant+id wins; later ones change nothing, even when
    // their content differs.
    if (this.seenIds.has(event.id)) return;
    this.seenIds.add(event.id);
    const facts = this.facts;
    switch (event.type) {
      case 'usage':
        facts.usage.push({
          type: 'usage',
          id: event.id,
          tenant: event.tenant,
          ts: event.ts,
          accountId: event.accountId,
          userId: event.userId,
          product: event.product,
          module: event.module,
          feature: event.feature,
          count: event.count,
          day: facts.calendar.dayOf(event.ts),
        });
        return;
      case 'account':
        if (keepLatest(this.latestAccounts, event.accountId, event, seq)) {
          facts.accounts.set(event.accountId, event);
        }
        // Every record counts for the hierarchy, which takes them in (ts, id) order.
        facts.hierarchy.requestParent(event.accountId, event.parentId, event.ts, event.id, seq);
        return;
      case 'user': {
        const day = facts.calendar.dayOf(event.ts);
        const since = facts.userKnownSince.get(event.userId);
        if (since === undefined || day < since) facts.userKnownSince.set(event.userId, day);
        if (keepLatest(this.latestUsers, event.userId, event, seq)) {
          facts.users.set(event.userId, event);
        }
        return;
      }
      case 'subscription':
        facts.subscriptionActions.push({ record: event, seq });
        return;
      case 'invoice':
        if (keepLatest(this.latestInvoices, event.invoiceId, event, seq)) {
          facts.invoices.set(event.invoiceId, event);
        }
        return;
      case 'ticket':
        if (keepLatest(this.latestTickets, event.ticketId, event, seq)) {
          facts.tickets.set(event.ticketId, event);
        }
        return;
    }
  }
}

/** Latest `ts` wins, equal `ts` → the later arrival. Returns whether `record` is now the latest. */
function keepLatest<T extends { readonly ts: number }>(
  latest: Map<string, Arrived<T>>,
  key: string,
  record: T,
  seq: number,
): boolean {
  const current = latest.get(key);
  if (current !== undefined && current.record.ts > record.ts) return false;
  latest.set(key, { record, seq });
  return true;
}

/** Groups accepted events by tenant. `seq` is the 1-based input line (the arrival order). */
export class FactsCollector {
  private readonly builders = new Map<string, TenantFactsBuilder>();

  constructor(private readonly settings: Readonly<Record<string, TenantSettings>>) {}

  add(event: CanonicalEvent, seq: number): void {
    let builder = this.builders.get(event.tenant);
    if (builder === undefined) {
      builder = new TenantFactsBuilder(
        event.tenant,
        this.settings[event.tenant] ?? DEFAULT_SETTINGS,
      );
      this.builders.set(event.tenant, builder);
    }
    builder.add(event, seq);
  }

  tenants(): TenantFacts[] {
    return [...this.builders.values()].map((builder) => builder.facts);
  }
}
