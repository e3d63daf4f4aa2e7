import { CsError } from '@cs/runtime';
import type { SubscriptionRecord } from '@cs/schemas';
import {
  historyInsertionIndex,
  type AccountBilling,
  type BillingAction,
} from './account-billing.js';
import { deriveMrrHistory, movementAt, stepSubscriptions } from './mrr-history.js';
import type { AccountMrrChange, BillingOutput, MrrMovement, Sign } from './outputs.js';
import { signedDiff } from './signed-diff.js';
import { subscriptionMrr, subscriptionMrrProblem } from './subscription-mrr.js';

export type ApplySubscriptionActionErrorCode = 'wrong_account';

/** The fields of a subscription record billing reads. */
export type ApplicableSubscriptionAction = Pick<
  SubscriptionRecord,
  | 'id'
  | 'tenant'
  | 'accountId'
  | 'ts'
  | 'subscriptionId'
  | 'action'
  | 'amount'
  | 'quantity'
  | 'billingPeriodMonths'
>;

/**
 * `applied`: in the history (its rows, and corrections if it was out of order, are the outputs);
 * `duplicate`: its id is already in the history, nothing changes;
 * `invalid`: it cannot be priced (`reason` names the field and rule), nothing changes: a dead letter.
 */
export type ApplySubscriptionOutcome =
  { outcome: 'applied' } | { outcome: 'duplicate' } | { outcome: 'invalid'; reason: string };

export type ApplySubscriptionResult = {
  /** The same object as the state passed in, updated in place. */
  state: AccountBilling;
  outputs: BillingOutput[];
} & ApplySubscriptionOutcome;

/**
 * Applies one subscription action to its account's billing state. After every call, the net of all
 * outputs ever returned for the account equals an in-order replay of its distinct actions ordered
 * by `ts` (equal `ts`: by arrival).
 *
 * An action later than every action held is the common case and costs O(1). An action at or before
 * the latest `ts` held rewrites the history from its instant on: the account's rows are re-derived
 * and the difference is emitted as retractions (−1, first) and additions (+1). An action with the
 * latest `ts` takes this path too, since it joins that instant and may change its movement.
 *
 * NOTE: the state is updated in place (like the sessionizer's); a shell that aborts a transaction
 * restores the state from its last committed encoding, never from this object.
 */
export function applySubscriptionAction(
  state: AccountBilling,
  record: ApplicableSubscriptionAction,
): ApplySubscriptionResult {
  if (record.tenant !== state.tenant || record.accountId !== state.accountId) {
    throw new CsError<ApplySubscriptionActionErrorCode>(
      'wrong_account',
      `subscription action ${record.id} of ${record.tenant}/${record.accountId} applied to the state of ${state.tenant}/${state.accountId}`,
    );
  }
  if (state.ids.has(record.id)) return { state, outputs: [], outcome: 'duplicate' };
  const problem = subscriptionMrrProblem(record);
  if (problem !== null) return { state, outputs: [], outcome: 'invalid', reason: problem };

  const action: BillingAction = {
    id: record.id,
    ts: record.ts,
    seq: state.nextSeq,
    subscriptionId: record.subscriptionId,
    action: record.action,
    mrr: subscriptionMrr(record),
  };
  state.nextSeq += 1;
  state.ids.add(action.id);
  const latest = state.history[state.history.length - 1];
  const outputs =
    latest === undefined || action.ts > latest.ts
      ? appendAction(state, action)
      : insertAction(state, action);
  return { state, outputs, outcome: 'applied' };
}

/** A new last instant: one change, at most one movement, nothing to correct. */
function appendAction(state: AccountBilling, action: BillingAction): BillingOutput[] {
  state.history.push(action);
  const before = state.mrr;
  state.mrr = stepSubscriptions(state.subscriptions, state.mrr, action);
  const outputs: BillingOutput[] = [
    changeOutput(
      {
        tenant: state.tenant,
        accountId: state.accountId,
        at: action.ts,
        seq: action.seq,
        mrrBefore: before,
        mrrAfter: state.mrr,
      },
      1,
    ),
  ];
  const movement = movementAt(state.tenant, state.accountId, action.ts, before, state);
  if (movement !== null) outputs.push(movementOutput(movement, 1));
  if (state.mrr > 0n) state.everHadMrr = true;
  return outputs;
}

/** An action inside the history: re-derive, and emit the difference from its instant on. */
function insertAction(state: AccountBilling, action: BillingAction): BillingOutput[] {
  const old = deriveMrrHistory(state.tenant, state.accountId, state.history);
  state.history.splice(historyInsertionIndex(state.history, action.ts), 0, action);
  const next = deriveMrrHistory(state.tenant, state.accountId, state.history);
  state.subscriptions = next.subscriptions;
  state.mrr = next.mrr;
  state.everHadMrr = next.everHadMrr;

  // Rows before the action's instant cannot have changed; leaving them out keeps the diff small.
  const from = <Row extends { at: number }>(rows: readonly Row[]) =>
    rows.filter((row) => row.at >= action.ts);
  const changes = signedDiff(from(old.changes), from(next.changes), changeKey);
  const movements = signedDiff(from(old.movements), from(next.movements), movementKey);
  return [
    ...changes.retracted.map((row) => changeOutput(row, -1)),
    ...movements.retracted.map((row) => movementOutput(row, -1)),
    ...changes.added.map((row) => changeOutput(row, 1)),
    ...movements.added.map((row) => movementOutput(row, 1)),
  ];
}

const changeKey = (row: AccountMrrChange) =>
  `${row.at}|${row.seq}|${row.mrrBefore}|${row.mrrAfter}`;
const movementKey = (row: MrrMovement) => `${row.at}|${row.kind}|${row.mrrBefore}|${row.mrrAfter}`;

function changeOutput(change: AccountMrrChange, sign: Sign): BillingOutput {
  return { type: 'account-mrr', row: { ...change, sign } };
}

function movementOutput(movement: MrrMovement, sign: Sign): BillingOutput {
  return { type: 'movement', row: { ...movement, sign } };
}
