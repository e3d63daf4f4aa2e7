import type { DerivedName } from '@cs/schemas';

/**
 * The fact tables the sink writes (infra/clickhouse/0001_facts.sql, late_events: 0008). Table names are spliced into
 * INSERT statements, so they come only from this fixed list, never from input.
 */
export const FACT_TABLES = [
  'usage_events',
  'time_slices',
  'sessions',
  'accounts',
  'users',
  'account_hierarchy',
  'invoices',
  'tickets',
  'mrr_movements',
  'account_mrr',
  'late_events',
  'dead_letters',
] as const;

export type FactTable = (typeof FACT_TABLES)[number];

/** Which fact table each derived topic fills (one topic → one table, so one insert per batch). */
export const TABLE_OF_DERIVED: Record<DerivedName, FactTable> = {
  'time-slice': 'time_slices',
  session: 'sessions',
  'late-event': 'late_events',
  'enriched-usage': 'usage_events',
  'account-state': 'accounts',
  'user-state': 'users',
  'hierarchy-edge': 'account_hierarchy',
  'mrr-movement': 'mrr_movements',
  'account-mrr': 'account_mrr',
  'invoice-state': 'invoices',
  'ticket-state': 'tickets',
};
