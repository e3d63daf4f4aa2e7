/**
 * The user and account directory: `cs.users`, `cs.accounts`, a user's current account, product
 * users, and who the tenant knows as of a day.
 */
import type { TenantFacts } from './tenant-facts.js';

export interface UserRow {
  readonly tenant: string;
  readonly user_id: string;
  readonly account_id: string;
  readonly email: string | null;
  readonly role: string | null;
  readonly first_seen: string | null;
  readonly last_seen: string | null;
}

export interface AccountRow {
  readonly tenant: string;
  readonly account_id: string;
  readonly name: string | null;
  /** The effective parent (after cycle refusal), null for a root. */
  readonly parent_id: string | null;
  readonly join_date: string | null;
  readonly renewal_date: string | null;
  readonly source: string | null;
  readonly first_seen: string | null;
  readonly last_seen: string | null;
  readonly product_users: number;
}

interface Seen {
  firstSeen: string;
  lastSeen: string;
  /** (ts, id) of the latest usage event, and its account. */
  latestTs: number;
  latestId: string;
  latestAccount: string;
}

export class Directory {
  /** user → current account: its latest `user` record's, else its latest usage event's. */
  readonly currentAccount = new Map<string, string>();
  readonly userSeen = new Map<string, Seen>();
  readonly accountSeen = new Map<string, { firstSeen: string; lastSeen: string }>();
  /** Local day a user became known: its first `user` record or first usage, whichever is earlier. */
  readonly userKnownSince = new Map<string, string>();

  constructor(private readonly facts: TenantFacts) {
    for (const event of facts.usage) {
      const seen = this.userSeen.get(event.userId);
      if (seen === undefined) {
        this.userSeen.set(event.userId, {
          firstSeen: event.day,
          lastSeen: event.day,
          latestTs: event.ts,
          latestId: event.id,
          latestAccount: event.accountId,
        });
      } else {
        if (event.day < seen.firstSeen) seen.firstSeen = event.day;
        if (event.day > seen.lastSeen) seen.lastSeen = event.day;
        if (event.ts > seen.latestTs || (event.ts === seen.latestTs && event.id > seen.latestId)) {
          seen.latestTs = event.ts;
          seen.latestId = event.id;
          seen.latestAccount = event.accountId;
        }
      }
      const account = this.accountSeen.get(event.accountId);
      if (account === undefined) {
        this.accountSeen.set(event.accountId, { firstSeen: event.day, lastSeen: event.day });
      } else {
        if (event.day < account.firstSeen) account.firstSeen = event.day;
        if (event.day > account.lastSeen) account.lastSeen = event.day;
      }
    }
    for (const [userId, seen] of this.userSeen) {
      this.currentAccount.set(userId, seen.latestAccount);
      this.userKnownSince.set(userId, seen.firstSeen);
    }
    for (const [userId, record] of facts.users) this.currentAccount.set(userId, record.accountId);
    for (const [userId, day] of facts.userKnownSince) {
      const since = this.userKnownSince.get(userId);
      if (since === undefined || day < since) this.userKnownSince.set(userId, day);
    }
  }

  /** Product users per account: users whose current account it is. */
  productUsers(): Map<string, string[]> {
    const byAccount = new Map<string, string[]>();
    for (const [userId, accountId] of this.currentAccount) {
      const users = byAccount.get(accountId);
      if (users === undefined) byAccount.set(accountId, [userId]);
      else users.push(userId);
    }
    return byAccount;
  }

  /** Accounts of `cs.accounts`: from account records (and parents they name), usage and users. */
  accountIds(): Set<string> {
    const ids = new Set<string>(this.facts.accounts.keys());
    for (const record of this.facts.accounts.values()) {
      const parent = this.facts.hierarchy.parentOf(record.accountId);
      if (parent !== null) ids.add(parent);
      if (record.parentId !== null) ids.add(record.parentId);
    }
    for (const accountId of this.accountSeen.keys()) ids.add(accountId);
    for (const accountId of this.currentAccount.values()) ids.add(accountId);
    return ids;
  }

  users(): UserRow[] {
    const rows: UserRow[] = [];
    for (const [userId, accountId] of this.currentAccount) {
      const record = this.facts.users.get(userId);
      const seen = this.userSeen.get(userId);
      rows.push({
        tenant: this.facts.tenant,
        user_id: userId,
        account_id: accountId,
        email: record?.email ?? null,
        role: record?.role ?? null,
        first_seen: seen?.firstSeen ?? null,
        last_seen: seen?.lastSeen ?? null,
      });
    }
    return rows;
  }

  accounts(): AccountRow[] {
    const productUsers = this.productUsers();
    const rows: AccountRow[] = [];
    for (const accountId of this.accountIds()) {
      const record = this.facts.accounts.get(accountId);
      const seen = this.accountSeen.get(accountId);
      rows.push({
        tenant: this.facts.tenant,
        account_id: accountId,
        name: record?.name ?? null,
        parent_id: this.facts.hierarchy.parentOf(accountId),
        join_date: record?.joinDate ?? null,
        renewal_date: record?.renewalDate ?? null,
        source: record?.source ?? null,
        first_seen: seen?.firstSeen ?? null,
        last_seen: seen?.lastSeen ?? null,
        product_users: productUsers.get(accountId)?.length ?? 0,
      });
    }
    return rows;
  }
}
