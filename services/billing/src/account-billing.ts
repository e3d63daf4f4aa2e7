import type { SubscriptionAction } from '@cs/schemas';

/** One subscription action as billing keeps it: what re-deriving the account's MRR needs. */
export interface BillingAction {
  /** The event id: the account's history doubles as an exact, unbounded dedup set. */
  id: string;
  ts: number;
  /** Arrival ordinal within the account; with `ts`, the total order of the history. */
  seq: number;
  subscriptionId: string;
  action: SubscriptionAction;
  /** The subscription's MRR after this action, micro-units (0 after cancel). */
  mrr: bigint;
}

/**
 * Billing's state of one account (changelog key `tenant/accountId`).
 *
 * `history` is the source of truth: every action ever applied, ordered by (`ts`, `seq`), kept in
 * full so an out-of-order action can be placed and the movements re-derived exactly. Accounts have
 * few actions (a start, some changes, renewals: tens to a few hundred over years), at roughly
 * 100 bytes each plus the id and subscription id. The other fields are derived from `history`
 * (kept so an in-order action costs O(1)) and are rebuilt, not stored, by the codec.
 */
export interface AccountBilling {
  tenant: string;
  accountId: string;
  history: BillingAction[];
  /** The `seq` the next action gets. */
  nextSeq: number;
  /** The ids in `history`. */
  ids: Set<string>;
  /** Current MRR per subscription; a cancelled subscription is removed. */
  subscriptions: Map<string, bigint>;
  /** Current account MRR: the sum of `subscriptions`. */
  mrr: bigint;
  /** Whether the MRR was ever > 0 at an instant: a later 0 → > 0 is a reactivation, not new. */
  everHadMrr: boolean;
}

export function createAccountBilling(tenant: string, accountId: string): AccountBilling {
  return {
    tenant,
    accountId,
    history: [],
    nextSeq: 0,
    ids: new Set(),
    subscriptions: new Map(),
    mrr: 0n,
    everHadMrr: false,
  };
}

/** Where an action with this `ts` goes: after every action with `ts` ≤ it (equal ts: by arrival). */
export function historyInsertionIndex(history: readonly BillingAction[], ts: number): number {
  let low = 0;
  let high = history.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const probe = history[middle];
    if (probe !== undefined && probe.ts <= ts) low = middle + 1;
    else high = middle;
  }
  return low;
}
