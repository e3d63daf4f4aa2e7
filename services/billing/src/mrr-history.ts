import type { BillingAction } from './account-billing.js';
import type { AccountMrrChange, MrrMovement, MrrMovementKind } from './outputs.js';

/**
 * Applies one action to the per-subscription MRRs and returns the account's new MRR. `start`,
 * `change` and `renewal` all set the subscription's MRR to the action's: a `change`/`renewal` of a
 * subscription never started behaves like `start`, and a second `start` of a running subscription
 * replaces it (its previous MRR is not added to). `cancel` removes it (a no-op when unknown).
 */
export function stepSubscriptions(
  subscriptions: Map<string, bigint>,
  accountMrr: bigint,
  action: Pick<BillingAction, 'subscriptionId' | 'action' | 'mrr'>,
): bigint {
  const previous = subscriptions.get(action.subscriptionId) ?? 0n;
  if (action.action === 'cancel') subscriptions.delete(action.subscriptionId);
  else subscriptions.set(action.subscriptionId, action.mrr);
  return accountMrr - previous + (action.action === 'cancel' ? 0n : action.mrr);
}

/** CONTRACT §2 "Movements"; `null` when the MRR did not change. */
export function classifyMovement(
  before: bigint,
  after: bigint,
  everHadMrr: boolean,
): MrrMovementKind | null {
  if (before === after) return null;
  if (before === 0n) return everHadMrr ? 'reactivation' : 'new';
  if (after === 0n) return 'churn';
  return after > before ? 'expansion' : 'contraction';
}

export interface DerivedMrr {
  changes: AccountMrrChange[];
  movements: MrrMovement[];
  subscriptions: Map<string, bigint>;
  mrr: bigint;
  everHadMrr: boolean;
}

/**
 * Everything an in-order replay of `history` (ordered by `ts`, `seq`) emits: one change per
 * action, one movement per instant (run of equal `ts`) whose MRR differs from the one before it.
 */
export function deriveMrrHistory(
  tenant: string,
  accountId: string,
  history: readonly BillingAction[],
): DerivedMrr {
  const derived: DerivedMrr = {
    changes: [],
    movements: [],
    subscriptions: new Map(),
    mrr: 0n,
    everHadMrr: false,
  };
  let instantBefore = 0n;
  history.forEach((action, index) => {
    if (history[index - 1]?.ts !== action.ts) instantBefore = derived.mrr;
    const before = derived.mrr;
    derived.mrr = stepSubscriptions(derived.subscriptions, derived.mrr, action);
    derived.changes.push({
      tenant,
      accountId,
      at: action.ts,
      seq: action.seq,
      mrrBefore: before,
      mrrAfter: derived.mrr,
    });
    if (history[index + 1]?.ts === action.ts) return;
    const movement = movementAt(tenant, accountId, action.ts, instantBefore, derived);
    if (movement !== null) derived.movements.push(movement);
    if (derived.mrr > 0n) derived.everHadMrr = true;
  });
  return derived;
}

/** The movement of one instant, from `before` to the state's current MRR, or `null`. */
export function movementAt(
  tenant: string,
  accountId: string,
  at: number,
  before: bigint,
  state: { mrr: bigint; everHadMrr: boolean },
): MrrMovement | null {
  const kind = classifyMovement(before, state.mrr, state.everHadMrr);
  if (kind === null) return null;
  return {
    tenant,
    accountId,
    at,
    kind,
    mrrBefore: before,
    mrrAfter: state.mrr,
    delta: state.mrr - before,
  };
}
