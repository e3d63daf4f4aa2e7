/**
 * @cs/reference: an independent, in-memory reference implementation of CONTRACT §2–§3, for
 * comparing the pipeline's `cs.*` views row by row (see README.md).
 */
export { computeReference } from './reference.js';
export type { Reference, ReferenceOptions, RefusedLine } from './reference.js';
export type { TenantSettings } from './tenant-facts.js';
export type { DailyActivityRow, MonthlyActivityRow, AccountDailyActivityRow } from './activity.js';
export type { UserActivityRow, AccountActivityRow } from './activity-rank.js';
export type { AccountRow, UserRow } from './directory.js';
export type { AccountFinancialsRow } from './financials.js';
export type { RefusedLink } from './hierarchy.js';
export type { MrrMonthlyRow } from './revenue.js';
export type { SessionRow } from './sessions.js';
export type { TicketAgeRow } from './support.js';
export type { FeatureUsageRow, ModuleUsageRow } from './usage.js';
export { validateLine } from './validate-line.js';
export type { CanonicalEvent, LineOutcome } from './validate-line.js';
