import type { AccountRecord } from '@cs/schemas';
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
  /**
   * Set when the record arrived older than the tenant's hierarchy horizon (a late record): it was
   * applied on top of the hierarchy as it stood, i.e. it takes its place in the replay after every
   * record held then (`at`: the tenant's newest account record `ts` at its arrival; `seq`: its
   * arrival rank among the late records placed at that `at`). Absent or `null`: an in-horizon
   * record, replayed at its (`ts`, `id`) place.
   */
  late?: LatePlacement | null;
}

/** Where a late account record sits in the replay (see `HeldAccountRecord.late`). */
export interface LatePlacement {
  at: number;
  seq: number;
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
  /**
   * The account's effective parent at the tenant's horizon start: what replaying the records
   * folded out of the history left (`null`: a root, or nothing folded yet). The replay starts from
   * it.
   */
  baseParentId: string | null;
  /**
   * The account's records within the tenant's hierarchy horizon, in (`ts`, `id`) order: the
   * replay's input (older ones are folded into `baseParentId`).
   */
  history: HeldAccountRecord[];
}

/** One account record in the tenant's (`ts`, `id`)-ordered hierarchy replay. */
export interface ReplayStep {
  record: AccountRecord;
  /** A late record's place (after every record held at its arrival), or `null`. */
  late: LatePlacement | null;
  /** The account's effective parent just before this step. */
  before: string | null;
  /** Why the record's link is refused at this step, or `null`: it stands. */
  refusal: HierarchyRefusal | null;
}

/**
 * The hierarchy replay of one tenant, kept in memory (derived from the entries, rebuilt after a
 * restore): the accounts' base parents, then every retained record as a step in (`ts`, `id`) order
 * (a late record at its arrival place), and the effective parents after the last step. A record
 * arriving out of order undoes the steps after its place (each step's `before`) and redoes them
 * with it; steps that fall behind the horizon are folded into the base.
 */
export interface TenantReplay {
  steps: ReplayStep[];
  parents: Map<string, string | null>;
  /** The tenant's newest account record `ts` (`null`: no record yet). */
  newestTs: number | null;
}

/**
 * What the table keeps of a user's latest record (changelog key `tenant/userId`): what deciding the
 * next record (`id`: duplicate, `ts`: stale) and the lookups (`accountId`, `role`) need, not the
 * whole record (email, attributes: they go out with the record's own user-state and changelog
 * entry). `accountId` and `role` are interned: one string per distinct value, however many users.
 */
export interface UserEntry {
  /** The latest record's event id. */
  readonly id: string;
  readonly ts: number;
  readonly accountId: string;
  readonly role: string | null;
}

/** The entity tables of one tenant. Accounts only referenced as a parent are not in `accounts`. */
export interface TenantTables {
  accounts: Map<string, AccountEntry>;
  /** Built on first use; dropped whenever `accounts` changes other than through the replay. */
  replay?: TenantReplay | undefined;
  /** The latest user record per user id, as a `UserEntry`. */
  users: Map<string, UserEntry>;
}

/**
 * The enricher's state: every tenant's account and user tables, in memory. A user entry costs
 * ~170 bytes (its key, its event id, `ts` and two interned strings, map slot included); an account
 * entry every record of the account within the hierarchy horizon (the hierarchy is replayed from
 * them). It is the whole table of the partitions it is given: see README "Partitioning".
 */
export interface EnricherState {
  tenants: Map<string, TenantTables>;
  /**
   * The hierarchy horizon (ms of event time): per tenant, the account records with a `ts` within
   * this of the tenant's newest account record are kept and replayed in (`ts`, `id`) order; older
   * ones are folded into the accounts' base parents, and a record arriving older than that is a
   * late record, applied on top of the hierarchy as it stands.
   */
  hierarchyHorizonMs: number;
}

/** 7 days: far more than any disorder the raw account partitions' interleaving produces. */
export const DEFAULT_HIERARCHY_HORIZON_MS = 7 * 24 * 3_600_000;

export interface EnricherStateOptions {
  /** See `EnricherState.hierarchyHorizonMs` (default `DEFAULT_HIERARCHY_HORIZON_MS`). */
  hierarchyHorizonMs?: number;
}

export function createEnricherState(options: EnricherStateOptions = {}): EnricherState {
  const hierarchyHorizonMs = options.hierarchyHorizonMs ?? DEFAULT_HIERARCHY_HORIZON_MS;
  if (!Number.isFinite(hierarchyHorizonMs) || hierarchyHorizonMs < 0) {
    throw new RangeError(
      `hierarchyHorizonMs: must be a finite number of ms ≥ 0, got ${String(hierarchyHorizonMs)}`,
    );
  }
  return { tenants: new Map(), hierarchyHorizonMs };
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
