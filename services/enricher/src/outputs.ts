import type { AccountRecord, UsageRecord } from '@cs/schemas';
import type { RecordOrigin } from './enricher-state.js';

/**
 * The effective parent of an account changed (or the account was seen for the first time): a row
 * of `account_hierarchy`. `ts` is the `ts` of the account record that caused it; the sink adds the
 * output offset as `seq`, so the latest (`ts`, `seq`) row per account is the current link.
 */
export interface HierarchyEdge {
  tenant: string;
  accountId: string;
  /** `null`: a root. */
  parentId: string | null;
  ts: number;
}

/** `self-parent`: the account named itself; `cycle`: the parent is one of its descendants. */
export type HierarchyRefusalRule = 'self-parent' | 'cycle';

/**
 * A requested parent link that would have made a cycle (CONTRACT §2: refused and reported) when the
 * tenant's account records are replayed in (`ts`, `id`) order. The record's other fields still apply; the account keeps `keptParentId`. The sink writes it
 * to the dead letters (step `enricher.hierarchy`, with `reason`), where the refused-records count
 * is queryable.
 */
export interface HierarchyRefusal {
  tenant: string;
  accountId: string;
  requestedParentId: string;
  keptParentId: string | null;
  rule: HierarchyRefusalRule;
  /** Names the field, the rule and the chain, e.g. `parentId A: A is a descendant of C (C → B → A)…`. */
  reason: string;
  /** The refused record's event `id` and `ts`. */
  recordId: string;
  ts: number;
}

export type AccountOutput =
  | { type: 'hierarchy-edge'; row: HierarchyEdge }
  | {
      type: 'hierarchy-refusal';
      row: HierarchyRefusal;
      /** The refused record and where it was read (it may have arrived before this one). */
      record: AccountRecord;
      origin: RecordOrigin | null;
    };

/** A usage event with what the enricher adds: the `usage_events` row before the sink's `day`. */
export type EnrichedUsage = Omit<UsageRecord, 'product'> & {
  /** `''` when the event has none (the warehouse column is not nullable). */
  product: string;
  /**
   * Root … the event's own account, under the hierarchy as it stood when the event was enriched.
   * A convenience only: roll-ups walk the current `account_hierarchy` at query time.
   */
  accountPath: string[];
  /** The user's role from its latest user record; `null` when unknown or not set. */
  role: string | null;
};
