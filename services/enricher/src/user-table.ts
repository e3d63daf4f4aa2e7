import type { UserRecord } from '@cs/schemas';
import { tenantTables, type EnricherState, type UserEntry } from './enricher-state.js';
import { intern, internNullable } from './intern.js';

/** As for accounts: `stale` (older `ts`) and `duplicate` (same event id) change nothing. */
export type ApplyUserOutcome = 'applied' | 'stale' | 'duplicate';

export interface ApplyUserResult {
  /** The same object as the state passed in, updated in place. */
  state: EnricherState;
  outcome: ApplyUserOutcome;
  /** The account the user belonged to before this record, when this record moved it. */
  movedFrom: string | null;
}

/**
 * Applies one user record: latest `ts` wins (equal `ts`: this later arrival). A user belongs to
 * exactly one account, its latest record's; a later record may move it.
 */
export function applyUserRecord(state: EnricherState, record: UserRecord): ApplyUserResult {
  const users = tenantTables(state, record.tenant).users;
  const held = users.get(record.userId);
  if (held !== undefined) {
    if (held.id === record.id) return { state, outcome: 'duplicate', movedFrom: null };
    if (record.ts < held.ts) return { state, outcome: 'stale', movedFrom: null };
  }
  users.set(record.userId, userEntryOf(record));
  const movedFrom =
    held !== undefined && held.accountId !== record.accountId ? held.accountId : null;
  return { state, outcome: 'applied', movedFrom };
}

/** What the user table keeps of a record (`UserEntry`). */
export function userEntryOf(record: UserRecord): UserEntry {
  return {
    id: record.id,
    ts: record.ts,
    accountId: intern(record.accountId),
    role: internNullable(record.role),
  };
}

/** The user's account per its latest record, or `null` when no user record was seen. */
export function userAccount(state: EnricherState, tenant: string, userId: string): string | null {
  return state.tenants.get(tenant)?.users.get(userId)?.accountId ?? null;
}

/** The user's role per its latest record, or `null` when unknown or not set. */
export function userRole(state: EnricherState, tenant: string, userId: string): string | null {
  return state.tenants.get(tenant)?.users.get(userId)?.role ?? null;
}
