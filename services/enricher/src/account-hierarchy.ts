import { CsError } from '@cs/runtime';
import type { AccountRecord } from '@cs/schemas';
import {
  tenantTables,
  type AccountEntry,
  type EnricherState,
  type HeldAccountRecord,
  type RecordOrigin,
} from './enricher-state.js';
import type { AccountOutput, HierarchyRefusal } from './outputs.js';

export type AccountHierarchyErrorCode = 'hierarchy_cycle';

/**
 * `applied`: the record is the account's latest, its fields are the account's;
 * `stale`: an older `ts` than the latest record held: the fields stay, but the record joins the
 * account's history, so it can still change the hierarchy (its link was in force before the newer
 * one, and may decide what a later link of another account would close a cycle with);
 * `duplicate`: an event id the account already holds, nothing changes.
 */
export type ApplyAccountOutcome = 'applied' | 'stale' | 'duplicate';

export interface ApplyAccountResult {
  /** The same object as the state passed in, updated in place (changed entries are new objects). */
  state: EnricherState;
  outputs: AccountOutput[];
  outcome: ApplyAccountOutcome;
  /** The accounts whose entries changed (history, effective parent, refusals): changelog them. */
  changed: string[];
}

/**
 * Applies one account record of a tenant.
 *
 * Fields: latest `ts` wins (equal `ts`: this later arrival wins), CONTRACT §1.
 *
 * Hierarchy (CONTRACT §2): the tenant's account records are replayed in (`ts`, `id`) order; each
 * requests its `parentId`, and a request that is the account itself or one of its descendants
 * under the links standing at that point is refused: the account keeps the parent it had. The
 * result depends only on the set of records, not on the order they arrived in: a record arriving
 * after records with a greater (`ts`, `id`) replays the tenant (an in-order one is one more step).
 * An `hierarchy-edge` is emitted for every account whose effective parent changed (and for an
 * account's first record), with the `ts` of the account's newest record, so it is the account's
 * latest (`ts`, `seq`) edge downstream.
 *
 * Refusals: a `hierarchy-refusal` is emitted the first time a record is refused, once per record.
 * A late record can change which link is refused: a record refused before may then take effect
 * (its report stays, the edge corrects the hierarchy) and one accepted before may be refused (it
 * is reported then). The refused state of every record is kept (`HeldAccountRecord.refused`).
 */
export function applyAccountRecord(
  state: EnricherState,
  record: AccountRecord,
  origin: RecordOrigin | null = null,
): ApplyAccountResult {
  const accounts = tenantTables(state, record.tenant).accounts;
  const held = accounts.get(record.accountId);
  if (held?.history.some((h) => h.record.id === record.id) === true) {
    return { state, outputs: [], outcome: 'duplicate', changed: [] };
  }
  const latest = held === undefined || record.ts >= held.record.ts ? record : held.record;
  const inOrder = [...accounts.values()].every(
    (entry) => compareRecords(entry.history.at(-1)?.record, record) < 0,
  );
  const arriving: HeldAccountRecord = { record, origin, refused: false, refusalReported: false };
  accounts.set(record.accountId, {
    record: latest,
    parentId: held?.parentId ?? null,
    history: held === undefined ? [arriving] : insertOrdered(held.history, arriving),
  });

  const before = new Map([...accounts].map(([id, entry]) => [id, entry.parentId]));
  const { parents, refusals } = inOrder
    ? replay(record.tenant, new Map(before), [record], accounts.size)
    : replay(record.tenant, new Map(), tenantRecords(accounts), accounts.size);
  const refusedIds = new Set(refusals.map((refusal) => refusal.recordId));

  const outputs: AccountOutput[] = [];
  const changed: string[] = [];
  const order = [
    record.accountId,
    ...[...accounts.keys()].filter((id) => id !== record.accountId).sort(),
  ];
  for (const accountId of order) {
    const entry = accounts.get(accountId);
    if (entry === undefined) continue;
    const parentId = parents.get(accountId) ?? null;
    // In order, only the arriving record can change its refused state; a replay recomputes all.
    const history = entry.history.map((h) => {
      const refused = inOrder && h !== arriving ? h.refused : refusedIds.has(h.record.id);
      const report = refused && !h.refusalReported;
      return refused === h.refused && !report
        ? h
        : { ...h, refused, refusalReported: h.refusalReported || report };
    });
    for (const [index, h] of history.entries()) {
      if (h.refusalReported && entry.history[index]?.refusalReported !== true) {
        const row = refusals.find((refusal) => refusal.recordId === h.record.id);
        if (row !== undefined)
          outputs.push({ type: 'hierarchy-refusal', row, record: h.record, origin: h.origin });
      }
    }
    const parentChanged =
      parentId !== entry.parentId || (accountId === record.accountId && held === undefined);
    if (parentChanged) {
      outputs.push({
        type: 'hierarchy-edge',
        row: { tenant: record.tenant, accountId, parentId, ts: newestTs(history) },
      });
    }
    if (
      parentChanged ||
      history.some((h, index) => h !== entry.history[index]) ||
      accountId === record.accountId
    ) {
      accounts.set(accountId, { ...entry, parentId, history });
      changed.push(accountId);
    }
  }
  return { state, outputs, outcome: latest === record ? 'applied' : 'stale', changed };
}

/** (`ts`, `id`) order; `undefined` sorts first. */
function compareRecords(a: AccountRecord | undefined, b: AccountRecord): number {
  if (a === undefined) return -1;
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function insertOrdered(
  history: readonly HeldAccountRecord[],
  added: HeldAccountRecord,
): HeldAccountRecord[] {
  const index = history.findIndex((h) => compareRecords(added.record, h.record) < 0);
  return index === -1
    ? [...history, added]
    : [...history.slice(0, index), added, ...history.slice(index)];
}

function newestTs(history: readonly HeldAccountRecord[]): number {
  return history.at(-1)?.record.ts ?? 0;
}

/** Every account record of the tenant, in (`ts`, `id`) order. */
function tenantRecords(accounts: ReadonlyMap<string, AccountEntry>): AccountRecord[] {
  return [...accounts.values()]
    .flatMap((entry) => entry.history.map((h) => h.record))
    .sort((a, b) => compareRecords(a, b));
}

/**
 * Applies `records` (in (`ts`, `id`) order) onto the effective links `parents`: each requests its
 * parent; a self-parent or a descendant is refused and the account keeps its parent.
 */
function replay(
  tenant: string,
  parents: Map<string, string | null>,
  records: readonly AccountRecord[],
  accountCount: number,
): { parents: Map<string, string | null>; refusals: HierarchyRefusal[] } {
  const refusals: HierarchyRefusal[] = [];
  for (const record of records) {
    const kept = parents.get(record.accountId) ?? null;
    const refusal =
      record.parentId !== null && record.parentId !== kept
        ? refusalOf(tenant, parents, record, kept, accountCount)
        : null;
    if (refusal === null) {
      parents.set(record.accountId, record.parentId);
    } else {
      refusals.push(refusal);
      parents.set(record.accountId, kept);
    }
  }
  return { parents, refusals };
}

/** Why `record.parentId` cannot be the account's parent under the links `parents`, or `null`. */
function refusalOf(
  tenant: string,
  parents: ReadonlyMap<string, string | null>,
  record: AccountRecord,
  kept: string | null,
  accountCount: number,
): HierarchyRefusal | null {
  const requested = record.parentId;
  if (requested === null) return null;
  const base = {
    tenant: record.tenant,
    accountId: record.accountId,
    requestedParentId: requested,
    keptParentId: kept,
    recordId: record.id,
    ts: record.ts,
  };
  if (requested === record.accountId) {
    return {
      ...base,
      rule: 'self-parent',
      reason: `account.parentId ${requested}: an account cannot be its own parent; kept ${kept ?? 'no parent'}`,
    };
  }
  // The account is an ancestor of the requested parent exactly when it lies on the requested
  // parent's path to its root: O(depth), no index of children needed.
  const chain = ancestorsOf((id) => parents.get(id) ?? null, accountCount, tenant, requested);
  const position = chain.indexOf(record.accountId);
  if (position === -1) return null;
  const downward = chain
    .slice(0, position + 1)
    .reverse()
    .join(' → ');
  return {
    ...base,
    rule: 'cycle',
    reason: `account.parentId ${requested}: ${requested} is a descendant of ${record.accountId} (${downward}), the link would make a cycle; kept ${kept ?? 'no parent'}`,
  };
}

/** `accountId` and its ancestors, nearest first, up to the root. */
function ancestorsOf(
  parentOf: (accountId: string) => string | null,
  accountCount: number,
  tenant: string,
  accountId: string,
): string[] {
  const chain: string[] = [];
  let current: string | null = accountId;
  while (current !== null) {
    // Refusals keep the links acyclic; a longer walk means a corrupt restored state.
    if (chain.length > accountCount) {
      throw new CsError<AccountHierarchyErrorCode>(
        'hierarchy_cycle',
        `the hierarchy of tenant ${tenant} has a cycle through ${accountId}: ${chain.slice(0, 10).join(' → ')} …`,
      );
    }
    chain.push(current);
    current = parentOf(current);
  }
  return chain;
}

/**
 * The account's path, root … the account itself, under the current effective links. An account
 * with no record (only seen in usage or as a parent) is a root.
 */
export function accountPath(state: EnricherState, tenant: string, accountId: string): string[] {
  const accounts = state.tenants.get(tenant)?.accounts ?? new Map<string, AccountEntry>();
  return ancestorsOf(
    (id) => accounts.get(id)?.parentId ?? null,
    accounts.size,
    tenant,
    accountId,
  ).reverse();
}

/** The effective parent of an account (`null`: a root or unknown). */
export function accountParent(
  state: EnricherState,
  tenant: string,
  accountId: string,
): string | null {
  return state.tenants.get(tenant)?.accounts.get(accountId)?.parentId ?? null;
}

/** The tenant's account records the current hierarchy refuses, in (`ts`, `id`) order. */
export function refusedAccountRecords(state: EnricherState, tenant: string): AccountRecord[] {
  const accounts = state.tenants.get(tenant)?.accounts ?? new Map<string, AccountEntry>();
  return [...accounts.values()]
    .flatMap((entry) => entry.history.filter((h) => h.refused).map((h) => h.record))
    .sort((a, b) => compareRecords(a, b));
}
