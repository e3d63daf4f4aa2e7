import type { AccountRecord, UserRecord } from '@cs/schemas';
import type { HierarchyRefusal } from './outputs.js';

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

/** One account record in the tenant's (`ts`, `id`)-ordered hierarchy replay. */
export interface ReplayStep {
  record: AccountRecord;
  /** The account's effective parent just before this step. */
  before: string | null;
  /** Why the record's link is refused at this step, or `null`: it stands. */
  refusal: HierarchyRefusal | null;
}

/**
 * The hierarchy replay of one tenant, kept in memory (derived from the entries' histories, rebuilt
 * after a restore): every held record as a step in (`ts`, `id`) order, and the effective parents
 * after the last step. A record arriving out of order undoes the steps after its place (each
 * step's `before`) and redoes them with it.
 */
export interface TenantReplay {
  steps: ReplayStep[];
  parents: Map<string, string | null>;
}

/** The entity tables of one tenant. Accounts only referenced as a parent are not in `accounts`. */
export interface TenantTables {
  accounts: Map<string, AccountEntry>;
  /** Built on first use; dropped whenever `accounts` changes other than through the replay. */
  replay?: TenantReplay | undefined;
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
