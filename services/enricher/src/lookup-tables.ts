import { pathOf } from './account-hierarchy.js';
import { intern, internNullable } from './intern.js';
import type { AccountEntry } from './enricher-state.js';
import type { UserRecord } from '@cs/schemas';

/**
 * What usage enrichment looks up, and nothing more: per tenant, each account's effective parent
 * and each user's latest role. The service's whole-tenant tables (followed from the two
 * changelogs, see README "Partitioning") are these, not `EnricherState`s: a user costs its key and
 * a map slot (~70 bytes; roles, account ids and tenants are interned), where a whole decoded record
 * with its email and attributes cost ~5 times that.
 */
export interface LookupTables {
  tenants: Map<string, TenantLookup>;
}

export interface TenantLookup {
  /** accountId → its effective parent (`null`: a root). */
  accounts: Map<string, string | null>;
  /** userId → its latest record's role (`null`: none). */
  users: Map<string, string | null>;
}

export function createLookupTables(): LookupTables {
  return { tenants: new Map() };
}

function tenantLookup(tables: LookupTables, tenant: string): TenantLookup {
  let lookup = tables.tenants.get(tenant);
  if (lookup === undefined) {
    lookup = { accounts: new Map(), users: new Map() };
    tables.tenants.set(intern(tenant), lookup);
  }
  return lookup;
}

/** Puts an account changelog entry into the lookup (its effective parent). */
export function lookupAccountEntry(tables: LookupTables, entry: AccountEntry): void {
  const { tenant, accountId } = entry.record;
  tenantLookup(tables, tenant).accounts.set(intern(accountId), internNullable(entry.parentId));
}

/** Puts a user changelog record into the lookup (its role). */
export function lookupUserRecord(tables: LookupTables, record: UserRecord): void {
  tenantLookup(tables, record.tenant).users.set(record.userId, internNullable(record.role));
}

/** The account's path, root … the account itself (like `accountPath`). */
export function lookupAccountPath(
  tables: LookupTables,
  tenant: string,
  accountId: string,
): string[] {
  const accounts = tables.tenants.get(tenant)?.accounts;
  if (accounts === undefined) return [accountId];
  return pathOf((id) => accounts.get(id) ?? null, accounts.size, tenant, accountId);
}

/** The user's latest role, or `null` when unknown or not set (like `userRole`). */
export function lookupUserRole(
  tables: LookupTables,
  tenant: string,
  userId: string,
): string | null {
  return tables.tenants.get(tenant)?.users.get(userId) ?? null;
}
