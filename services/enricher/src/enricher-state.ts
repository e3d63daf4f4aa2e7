import type { AccountRecord, UserRecord } from '@cs/schemas';

/** One account as the enricher holds it (changelog key `tenant/accountId`). */
export interface AccountEntry {
  /**
   * The latest record (greatest `ts`, equal `ts`: the later arrival). Its fields are the account's,
   * and its `parentId` is the parent it requested, which a cycle refusal may not have granted.
   */
  record: AccountRecord;
  /** The effective parent: the latest requested link that did not make a cycle (`null`: a root). */
  parentId: string | null;
}

/** The entity tables of one tenant. Accounts only referenced as a parent are not in `accounts`. */
export interface TenantTables {
  accounts: Map<string, AccountEntry>;
  /** The latest user record per user id (changelog key `tenant/userId`). */
  users: Map<string, UserRecord>;
}

/**
 * The enricher's state: every tenant's account and user tables, in memory. An entry costs about
 * its record's size (names, attributes) plus ~100 bytes, so a million accounts and users fit in a
 * few hundred MB. It is the whole table, not a partition of it: see README "Partitioning".
 */
export interface EnricherState {
  tenants: Map<string, TenantTables>;
}

export function createEnricherState(): EnricherState {
  return { tenants: new Map() };
}

/** The tenant's tables, created empty on first use. */
export function tenantTables(state: EnricherState, tenant: string): TenantTables {
  let tables = state.tenants.get(tenant);
  if (tables === undefined) {
    tables = { accounts: new Map(), users: new Map() };
    state.tenants.set(tenant, tables);
  }
  return tables;
}
