/**
 * What billing emits. Both row kinds are signed: when an out-of-order action rewrites an account's
 * history, billing retracts every row it emitted that is no longer true (`sign: -1`, the row
 * repeated exactly) and then states the new ones (`sign: +1`). The net (sum with signs) of all rows
 * ever emitted for an account equals what an in-order replay of its actions emits.
 * Money is bigint micro-units (10^-6); `formatDecimal` renders it for Avro / ClickHouse.
 */

export type Sign = 1 | -1;

export type MrrMovementKind = 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation';

/**
 * The account's MRR across one subscription action: one per action, also when it did not change
 * (the `account_mrr` fact table). `at` is the action's `ts` (epoch ms).
 */
export interface AccountMrrChange {
  tenant: string;
  accountId: string;
  at: number;
  /**
   * The action's arrival ordinal within its account (0, 1, 2, …, never reused). Orders actions
   * with the same `at` (equal ts: by arrival), so `argMax(mrr, (at, seq))` is the MRR at `at`.
   */
  seq: number;
  mrrBefore: bigint;
  mrrAfter: bigint;
}

/**
 * One change of an account's MRR at one instant (CONTRACT §2 "Movements"): all the account's
 * actions with the same `ts` form one instant, so `mrrBefore` is the MRR just before `at` and
 * `mrrAfter` the MRR after every action at `at`. Never emitted when they are equal.
 */
export interface MrrMovement {
  tenant: string;
  accountId: string;
  at: number;
  kind: MrrMovementKind;
  mrrBefore: bigint;
  mrrAfter: bigint;
  /** `mrrAfter − mrrBefore`: positive for new/expansion/reactivation, negative otherwise. */
  delta: bigint;
}

export type AccountMrrChangeRow = AccountMrrChange & { sign: Sign };
export type MrrMovementRow = MrrMovement & { sign: Sign };

export type BillingOutput =
  { type: 'account-mrr'; row: AccountMrrChangeRow } | { type: 'movement'; row: MrrMovementRow };
