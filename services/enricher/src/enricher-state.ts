import type { AccountRecord, UserRecord } from '@cs/schemas';

/** Where a record was read from (its raw topic, partition and offset), for its dead letter. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/** One account record as the hierarchy replay keeps it. */
export interface HeldAccountRecord {
  record: AccountRecord;
  /** `null` when not known (a record restored from a version 1 changelog entry). */
  origin: RecordOrigin | null;
  /** The current hierarchy refuses this record's link. */
  refused: boolean;
  /** A refusal of this record has been reported (once per record, never withdrawn). */
  refusalReported: boolean;
}

/** One account as the enricher holds it (changelog key `tenant/accountId`). */
export interface AccountEntry {
  /**
   * The latest record (greatest `ts`, equal `ts`: the later arrival). Its fields are the account's,
   * and its `parentId` is the parent it requested, which a cycle refusal may not have granted.
   */
  record: AccountRecord;
  /**
   * The effective parent: what replaying the tenant's account records in (`ts`, `id`) order with
   * the cycle refusal leaves (`null`: a root).
   */
  parentId: string | null;
  /** Every distinct record of the account, in (`ts`, `id`) order: the hierarchy's input. */
  history: HeldAccountRecord[];
}

/** The entity tables of one tenant. Accounts only referenced as a parent are not in `accounts`. */
export interface TenantTables {
  accounts: Map<string, AccountEntry>;
  /** The latest user record per user id (changelog key `tenant/userId`). */
  users: Map<string, UserRecord>;
}

/**
 * The enricher's state: every tenant's account and user tables, in memory. A user entry costs
 * about its record's size plus ~100 bytes; an account entry every record of the account (the
 * hierarchy is replayed from them), so a million users and accounts with a few records each fit in
 * a few hundred MB. It is the whole table, not a partition of it: see README "Partitioning".
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
