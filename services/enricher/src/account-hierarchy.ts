import { CsError } from '@cs/runtime';
import type { AccountRecord } from '@cs/schemas';
import {
  tenantTables,
  type AccountEntry,
  type EnricherState,
  type HeldAccountRecord,
  type RecordOrigin,
  type ReplayStep,
  type TenantReplay,
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
 * after records with a greater (`ts`, `id`) undoes those steps and redoes them after itself (an
 * in-order one is one more step); see `TenantReplay`.
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
  const tables = tenantTables(state, record.tenant);
  const accounts = tables.accounts;
  const held = accounts.get(record.accountId);
  if (held?.history.some((h) => h.record.id === record.id) === true) {
    return { state, outputs: [], outcome: 'duplicate', changed: [] };
  }
  tables.replay ??= buildReplay(record.tenant, accounts);
  const replay = tables.replay;
  const latest = held === undefined || record.ts >= held.record.ts ? record : held.record;
  const arriving: HeldAccountRecord = { record, origin, refused: false, refusalReported: false };
  accounts.set(record.accountId, {
    record: latest,
    parentId: held?.parentId ?? null,
    history: held === undefined ? [arriving] : insertOrdered(held.history, arriving),
  });

  // Undo the steps after the record's place in (ts, id) order, then redo them with it: the links
  // before that place are the same whatever came later. In order, that is one step.
  const { steps, parents } = replay;
  const at = insertionIndex(steps, record);
  for (const step of steps.slice(at).reverse()) parents.set(step.record.accountId, step.before);
  steps.splice(at, 0, { record, before: null, refusal: null });
  // Redone records' refusals (null: accepted), by event id; the touched accounts get new entries.
  const redone = new Map<string, HierarchyRefusal | null>();
  const touched = new Set<string>();
  for (const step of steps.slice(at)) {
    applyStep(record.tenant, parents, step);
    redone.set(step.record.id, step.refusal);
    touched.add(step.record.accountId);
  }

  const outputs: AccountOutput[] = [];
  const changed: string[] = [];
  const order = [record.accountId, ...[...touched].filter((id) => id !== record.accountId).sort()];
  for (const accountId of order) {
    const entry = accounts.get(accountId);
    if (entry === undefined) continue;
    const parentId = parents.get(accountId) ?? null;
    const history = entry.history.map((h) => {
      const refusal = redone.get(h.record.id);
      if (refusal === undefined) return h;
      const report = refusal !== null && !h.refusalReported;
      if (report) {
        outputs.push({
          type: 'hierarchy-refusal',
          row: refusal,
          record: h.record,
          origin: h.origin,
        });
      }
      const refused = refusal !== null;
      return refused === h.refused && !report
        ? h
        : { ...h, refused, refusalReported: h.refusalReported || report };
    });
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

/**
 * The replay of a tenant's held account records, built in full once (after a restore, from the
 * changelog entries) and then kept up to date record by record. Derived, so not in the changelog.
 */
function buildReplay(tenant: string, accounts: ReadonlyMap<string, AccountEntry>): TenantReplay {
  const replay: TenantReplay = { steps: [], parents: new Map() };
  for (const record of tenantRecords(accounts)) {
    const step: ReplayStep = { record, before: null, refusal: null };
    applyStep(tenant, replay.parents, step);
    replay.steps.push(step);
  }
  return replay;
}

/** One step of the replay: the record requests its parent, unless that closes a cycle. */
function applyStep(tenant: string, parents: Map<string, string | null>, step: ReplayStep): void {
  const { record } = step;
  const kept = parents.get(record.accountId) ?? null;
  step.before = kept;
  step.refusal =
    record.parentId !== null && record.parentId !== kept
      ? refusalOf(tenant, parents, record, kept, parents.size + 1)
      : null;
  parents.set(record.accountId, step.refusal === null ? record.parentId : kept);
}

/** Where `record` goes in the (`ts`, `id`)-ordered steps (binary search). */
function insertionIndex(steps: readonly ReplayStep[], record: AccountRecord): number {
  let low = 0;
  let high = steps.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareRecords(steps[middle]?.record, record) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
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
