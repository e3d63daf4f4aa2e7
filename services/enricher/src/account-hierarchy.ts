import { CsError } from '@cs/runtime';
import type { AccountRecord } from '@cs/schemas';
import { tenantTables, type AccountEntry, type EnricherState } from './enricher-state.js';
import type { AccountOutput, HierarchyRefusal } from './outputs.js';

export type AccountHierarchyErrorCode = 'hierarchy_cycle';

/**
 * `applied`: the record is the account's latest (a refused link still leaves it applied);
 * `stale`: an older `ts` than the record held, nothing changes;
 * `duplicate`: the same event id as the record held, nothing changes.
 */
export type ApplyAccountOutcome = 'applied' | 'stale' | 'duplicate';

export interface ApplyAccountResult {
  /** The same object as the state passed in, updated in place. */
  state: EnricherState;
  outputs: AccountOutput[];
  outcome: ApplyAccountOutcome;
}

/**
 * Applies one account record: latest `ts` wins (equal `ts`: this later arrival wins). A requested
 * `parentId` that is the account itself or one of its descendants under the current links is
 * refused: the previous effective parent stays and a `hierarchy-refusal` is emitted, while the
 * record's other fields (name, dates, attributes…) still apply, since they are independent facts
 * and dropping them would lose valid data beside an invalid link. An `hierarchy-edge` is emitted
 * when the effective parent changes, and for an account's first record.
 *
 * NOTE: a refused link is not retried when the hierarchy later changes so that it would fit; the
 * account keeps its parent until a newer record requests one again. Refusal is decided in
 * processing order, so all of a tenant's account records must reach one processor in one order
 * (see README "Partitioning").
 */
export function applyAccountRecord(
  state: EnricherState,
  record: AccountRecord,
): ApplyAccountResult {
  const accounts = tenantTables(state, record.tenant).accounts;
  const held = accounts.get(record.accountId);
  if (held !== undefined) {
    if (held.record.id === record.id) return { state, outputs: [], outcome: 'duplicate' };
    if (record.ts < held.record.ts) return { state, outputs: [], outcome: 'stale' };
  }

  const outputs: AccountOutput[] = [];
  const kept = held?.parentId ?? null;
  let parentId = record.parentId;
  if (parentId !== null && parentId !== kept) {
    const refusal = refusalOf(accounts, record, kept);
    if (refusal !== null) {
      outputs.push({ type: 'hierarchy-refusal', row: refusal });
      parentId = kept;
    }
  }
  accounts.set(record.accountId, { record, parentId });
  if (held === undefined || held.parentId !== parentId) {
    outputs.push({
      type: 'hierarchy-edge',
      row: { tenant: record.tenant, accountId: record.accountId, parentId, ts: record.ts },
    });
  }
  return { state, outputs, outcome: 'applied' };
}

/** Why `record.parentId` cannot be the account's parent under the current links, or `null`. */
function refusalOf(
  accounts: ReadonlyMap<string, AccountEntry>,
  record: AccountRecord,
  kept: string | null,
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
  const chain = ancestorsOf(accounts, record.tenant, requested);
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
  accounts: ReadonlyMap<string, AccountEntry>,
  tenant: string,
  accountId: string,
): string[] {
  const chain: string[] = [];
  let current: string | null = accountId;
  while (current !== null) {
    // Refusals keep the links acyclic; a longer walk means a corrupt restored state.
    if (chain.length > accounts.size) {
      throw new CsError<AccountHierarchyErrorCode>(
        'hierarchy_cycle',
        `the hierarchy of tenant ${tenant} has a cycle through ${accountId}: ${chain.slice(0, 10).join(' → ')} …`,
      );
    }
    chain.push(current);
    current = accounts.get(current)?.parentId ?? null;
  }
  return chain;
}

/**
 * The account's path, root … the account itself, under the current effective links. An account
 * with no record (only seen in usage or as a parent) is a root.
 */
export function accountPath(state: EnricherState, tenant: string, accountId: string): string[] {
  const accounts = state.tenants.get(tenant)?.accounts ?? new Map<string, AccountEntry>();
  return ancestorsOf(accounts, tenant, accountId).reverse();
}

/** The effective parent of an account (`null`: a root or unknown). */
export function accountParent(
  state: EnricherState,
  tenant: string,
  accountId: string,
): string | null {
  return state.tenants.get(tenant)?.accounts.get(accountId)?.parentId ?? null;
}
