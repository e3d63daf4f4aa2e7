import { CsError } from '@cs/runtime';
import type { AccountRecord } from '@cs/schemas';
import {
  tenantTables,
  type AccountEntry,
  type EnricherState,
  type HeldAccountRecord,
  type LatePlacement,
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
 * `duplicate`: an event id the account still holds (within the hierarchy horizon), nothing
 * changes.
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
 * Horizon (`EnricherState.hierarchyHorizonMs` H): only records with `ts` ≥ the tenant's newest
 * account record `ts` − H are held; older steps are folded into the accounts' `baseParentId`. A
 * record arriving older than that horizon start is late: applied on top of the hierarchy as it
 * stands (placed after every step held now), refused like any link if it closes a cycle.
 * An `hierarchy-edge` is emitted for every account whose effective parent changed (and for an
 * account's first record), with the `ts` of the account's newest record, so it is the account's
 * latest (`ts`, `seq`) edge downstream.
 *
 * Refusals: a `hierarchy-refusal` is emitted the first time a record is refused, once per record.
 * A late record can change which link is refused: a record refused before may then take effect
 * (its report stays, the edge corrects the hierarchy) and one accepted before may be refused (it
 * is reported then). The refused state of every held record is kept (`HeldAccountRecord.refused`).
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
  const { steps, parents } = replay;
  // A record older than the horizon start is late: its (ts, id) place was folded into the base,
  // so it is applied on top of the hierarchy as it stands (after every step held now).
  const newestBefore = replay.newestTs;
  const late: LatePlacement | null =
    newestBefore !== null && record.ts < newestBefore - state.hierarchyHorizonMs
      ? { at: newestBefore, seq: nextLateSeq(steps, newestBefore) }
      : null;
  const latest = held === undefined || record.ts >= held.record.ts ? record : held.record;
  const arriving: HeldAccountRecord = {
    record,
    origin,
    refused: false,
    refusalReported: false,
    late,
  };
  accounts.set(record.accountId, {
    record: latest,
    parentId: held?.parentId ?? null,
    baseParentId: held?.baseParentId ?? null,
    history: held === undefined ? [arriving] : insertOrdered(held.history, arriving),
  });

  // Undo the steps after the record's place, then redo them with it: the links before that place
  // are the same whatever came later. In order (or late), that is one step.
  const step: ReplayStep = { record, late, before: null, refusal: null };
  const at = insertionIndex(steps, step);
  for (const undone of steps.slice(at).reverse()) {
    parents.set(undone.record.accountId, undone.before);
  }
  steps.splice(at, 0, step);
  // Redone records' refusals (null: accepted), by event id; the touched accounts get new entries.
  const redone = new Map<string, HierarchyRefusal | null>();
  const touched = new Set<string>();
  for (const redo of steps.slice(at)) {
    applyStep(record.tenant, parents, redo);
    redone.set(redo.record.id, redo.refusal);
    touched.add(redo.record.accountId);
  }
  replay.newestTs = newestBefore === null ? record.ts : Math.max(newestBefore, record.ts);

  // Fold the steps now behind the horizon into the accounts' base parents. Every step after the
  // arriving one sorts at or after it, so none of the redone steps is folded here.
  const folded = foldSteps(replay, replay.newestTs - state.hierarchyHorizonMs);
  const foldedIds = new Set<string>();
  for (const { record: old } of folded.steps) foldedIds.add(old.id);

  const outputs: AccountOutput[] = [];
  const changed: string[] = [];
  const others = new Set([...touched, ...folded.bases.keys()]);
  others.delete(record.accountId);
  const order = [record.accountId, ...[...others].sort()];
  for (const accountId of order) {
    const entry = accounts.get(accountId);
    if (entry === undefined) continue;
    const parentId = parents.get(accountId) ?? null;
    const baseParentId = folded.bases.has(accountId)
      ? (folded.bases.get(accountId) ?? null)
      : entry.baseParentId;
    const history = entry.history.flatMap((h) => {
      if (foldedIds.has(h.record.id)) return [];
      const refusal = redone.get(h.record.id);
      if (refusal === undefined) return [h];
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
      if (refused === h.refused && !report) return [h];
      return [{ ...h, refused, refusalReported: h.refusalReported || report }];
    });
    const historyChanged =
      history.length !== entry.history.length ||
      history.some((h, index) => h !== entry.history[index]);
    const parentChanged =
      parentId !== entry.parentId || (accountId === record.accountId && held === undefined);
    if (parentChanged) {
      outputs.push({
        type: 'hierarchy-edge',
        row: { tenant: record.tenant, accountId, parentId, ts: entry.record.ts },
      });
    }
    if (
      parentChanged ||
      historyChanged ||
      baseParentId !== entry.baseParentId ||
      accountId === record.accountId
    ) {
      accounts.set(accountId, { ...entry, parentId, baseParentId, history });
      changed.push(accountId);
    }
  }
  return { state, outputs, outcome: latest === record ? 'applied' : 'stale', changed };
}

/**
 * The replay of a tenant's held account records, built in full once (after a restore, from the
 * changelog entries: base parents, then the retained records) and then kept up to date record by
 * record. Derived, so not in the changelog.
 */
function buildReplay(tenant: string, accounts: ReadonlyMap<string, AccountEntry>): TenantReplay {
  const replay: TenantReplay = { steps: [], parents: new Map(), newestTs: null };
  for (const [accountId, entry] of accounts) {
    replay.parents.set(accountId, entry.baseParentId);
    replay.newestTs =
      replay.newestTs === null ? entry.record.ts : Math.max(replay.newestTs, entry.record.ts);
  }
  const steps = [...accounts.values()]
    .flatMap((entry) =>
      entry.history.map((h): ReplayStep => ({
        record: h.record,
        late: h.late ?? null,
        before: null,
        refusal: null,
      })),
    )
    .sort(compareSteps);
  for (const step of steps) {
    applyStep(tenant, replay.parents, step);
    replay.steps.push(step);
  }
  return replay;
}

/**
 * Removes the steps placed before `horizonStart` from the front of the replay; `bases`: each
 * folded account's parent after its last folded step (its new base).
 */
function foldSteps(
  replay: TenantReplay,
  horizonStart: number,
): { steps: ReplayStep[]; bases: Map<string, string | null> } {
  let count = 0;
  while (count < replay.steps.length) {
    const step = replay.steps[count];
    if (step === undefined || placeTs(step) >= horizonStart) break;
    count += 1;
  }
  const steps = replay.steps.splice(0, count);
  const bases = new Map<string, string | null>();
  for (const step of steps) {
    bases.set(step.record.accountId, step.refusal === null ? step.record.parentId : step.before);
  }
  return { steps, bases };
}

/** The `seq` of a late record placed at `at`: after the late records already placed there. */
function nextLateSeq(steps: readonly ReplayStep[], at: number): number {
  // Every step is placed at or before the tenant's newest ts, late ones last among equals.
  const last = steps.at(-1)?.late;
  return last !== undefined && last !== null && last.at === at ? last.seq + 1 : 0;
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

/** Where `step` goes in the ordered steps (binary search). */
function insertionIndex(steps: readonly ReplayStep[], step: ReplayStep): number {
  let low = 0;
  let high = steps.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const other = steps[middle];
    if (other !== undefined && compareSteps(other, step) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The event time a step is placed at: its record's `ts`, or a late record's arrival place. */
function placeTs(step: ReplayStep): number {
  return step.late?.at ?? step.record.ts;
}

/**
 * Replay order: by place `ts`; at equal place, in-horizon records in `id` order before late ones
 * in arrival (`seq`) order.
 */
function compareSteps(a: ReplayStep, b: ReplayStep): number {
  const at = placeTs(a);
  const bt = placeTs(b);
  if (at !== bt) return at < bt ? -1 : 1;
  if (a.late === null || b.late === null) {
    if (a.late !== null) return 1;
    if (b.late !== null) return -1;
    return a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0;
  }
  return a.late.seq - b.late.seq;
}

/** (`ts`, `id`) order. */
function compareRecords(a: AccountRecord, b: AccountRecord): number {
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
  return pathOf((id) => accounts.get(id)?.parentId ?? null, accounts.size, tenant, accountId);
}

/** Root … `accountId` under the links `parentOf` (`accountCount` bounds the walk: a cycle throws). */
export function pathOf(
  parentOf: (accountId: string) => string | null,
  accountCount: number,
  tenant: string,
  accountId: string,
): string[] {
  return ancestorsOf(parentOf, accountCount, tenant, accountId).reverse();
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
