// The public API of @cs/enricher: the pure core (no Kafka). The shell applies account and user
// records to the tables, enriches usage events with them, and writes the outputs and the changed
// table entries (changelogs) in one transaction.
export {
  createEnricherState,
  tenantTables,
  DEFAULT_HIERARCHY_HORIZON_MS,
  type EnricherStateOptions,
  type LatePlacement,
  type EnricherState,
  type TenantTables,
  type AccountEntry,
  type UserEntry,
  type HeldAccountRecord,
  type RecordOrigin,
} from './enricher-state.js';
export {
  applyAccountRecord,
  accountPath,
  accountParent,
  refusedAccountRecords,
  type ApplyAccountOutcome,
  type ApplyAccountResult,
  type AccountHierarchyErrorCode,
} from './account-hierarchy.js';
export {
  applyUserRecord,
  userEntryOf,
  userAccount,
  userRole,
  type ApplyUserOutcome,
  type ApplyUserResult,
} from './user-table.js';
export { enrichUsage } from './enrich-usage.js';
export {
  createLookupTables,
  lookupAccountEntry,
  lookupUserRecord,
  lookupAccountPath,
  lookupUserRole,
  type LookupTables,
  type TenantLookup,
} from './lookup-tables.js';
export { intern, INTERN_LIMIT } from './intern.js';
export {
  encodeAccountEntry,
  decodeAccountEntry,
  encodeUserRecord,
  decodeUserRecord,
  restoreAccountEntry,
  restoreUserRecord,
  ENRICHER_STATE_VERSION,
  ACCOUNT_STATE_VERSION,
  type EnricherStateCodecErrorCode,
} from './state-codec.js';
export type {
  HierarchyEdge,
  HierarchyRefusal,
  HierarchyRefusalRule,
  AccountOutput,
  EnrichedUsage,
} from './outputs.js';
