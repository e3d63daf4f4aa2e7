// The public API of @cs/billing: the pure core (no Kafka). The consumer shell feeds each
// subscription action to `applySubscriptionAction` with its account's state, and writes the
// outputs and the encoded state (changelog, key tenant/accountId) in one transaction.
export {
  subscriptionMrr,
  subscriptionMrrProblem,
  divideHalfUp,
  type MrrInput,
  type SubscriptionMrrErrorCode,
} from './subscription-mrr.js';
export {
  createAccountBilling,
  type AccountBilling,
  type BillingAction,
} from './account-billing.js';
export { classifyMovement, deriveMrrHistory, type DerivedMrr } from './mrr-history.js';
export {
  applySubscriptionAction,
  type ApplicableSubscriptionAction,
  type ApplySubscriptionOutcome,
  type ApplySubscriptionResult,
  type ApplySubscriptionActionErrorCode,
} from './apply-subscription-action.js';
export { reduceLatest } from './latest-state.js';
export {
  encodeAccountBilling,
  decodeAccountBilling,
  ACCOUNT_BILLING_VERSION,
  type BillingStateCodecErrorCode,
} from './state-codec.js';
export type {
  Sign,
  MrrMovementKind,
  AccountMrrChange,
  MrrMovement,
  AccountMrrChangeRow,
  MrrMovementRow,
  BillingOutput,
} from './outputs.js';
