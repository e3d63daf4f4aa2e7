import { CsError } from '@cs/runtime';
import { subscriptionActionValues } from '@cs/schemas';
import { z } from 'zod';
import { type AccountBilling, type BillingAction } from './account-billing.js';
import { deriveMrrHistory } from './mrr-history.js';

/**
 * An account's billing state as the value of its compacted changelog record (key
 * `tenant/accountId`). JSON, UTF-8: an account holds tens of actions, so readability in
 * `kafka-console-consumer` is worth more than the bytes a binary layout would save.
 *
 * Version 1:
 *   { "v": 1, "tenant", "accountId", "nextSeq",
 *     "history": [{ "id", "ts", "seq", "subscriptionId", "action", "mrrMicros" }, …] }
 * `history` in (`ts`, `seq`) order; `mrrMicros` is the subscription MRR after the action in
 * micro-units as a decimal integer string (exact, unlike a JSON number). Only the history is
 * written: the per-subscription MRR, the account MRR and `everHadMrr` are re-derived on decode.
 * A version this code does not know is refused, not guessed at.
 */
export const ACCOUNT_BILLING_VERSION = 1;

export type BillingStateCodecErrorCode = 'state_version_unknown' | 'state_corrupt';

const actionSchema = z.object({
  id: z.string(),
  ts: z.number().int(),
  seq: z.number().int().nonnegative(),
  subscriptionId: z.string(),
  action: z.enum(subscriptionActionValues),
  mrrMicros: z.string().regex(/^\d+$/),
});

const version1Schema = z.object({
  v: z.literal(1),
  tenant: z.string(),
  accountId: z.string(),
  nextSeq: z.number().int().nonnegative(),
  history: z.array(actionSchema),
});

export function encodeAccountBilling(state: AccountBilling): Buffer {
  const value: z.infer<typeof version1Schema> = {
    v: ACCOUNT_BILLING_VERSION,
    tenant: state.tenant,
    accountId: state.accountId,
    nextSeq: state.nextSeq,
    history: state.history.map((action) => ({
      id: action.id,
      ts: action.ts,
      seq: action.seq,
      subscriptionId: action.subscriptionId,
      action: action.action,
      mrrMicros: action.mrr.toString(),
    })),
  };
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function corrupt(message: string, cause?: unknown): CsError<BillingStateCodecErrorCode> {
  return new CsError<BillingStateCodecErrorCode>('state_corrupt', `billing state: ${message}`, {
    cause,
  });
}

export function decodeAccountBilling(buffer: Buffer): AccountBilling {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.toString('utf8'));
  } catch (error: unknown) {
    throw corrupt('not JSON', error);
  }
  const version =
    typeof parsed === 'object' && parsed !== null && 'v' in parsed ? parsed.v : undefined;
  if (version !== ACCOUNT_BILLING_VERSION) {
    throw new CsError<BillingStateCodecErrorCode>(
      'state_version_unknown',
      `billing state version ${String(version)} is not known (this code reads ${ACCOUNT_BILLING_VERSION})`,
    );
  }
  const result = version1Schema.safeParse(parsed);
  if (!result.success) throw corrupt(result.error.message, result.error);
  const value = result.data;

  const history: BillingAction[] = value.history.map((action) => ({
    id: action.id,
    ts: action.ts,
    seq: action.seq,
    subscriptionId: action.subscriptionId,
    action: action.action,
    mrr: BigInt(action.mrrMicros),
  }));
  checkHistory(history, value.nextSeq);
  const derived = deriveMrrHistory(value.tenant, value.accountId, history);
  return {
    tenant: value.tenant,
    accountId: value.accountId,
    history,
    nextSeq: value.nextSeq,
    ids: new Set(history.map((action) => action.id)),
    subscriptions: derived.subscriptions,
    mrr: derived.mrr,
    everHadMrr: derived.everHadMrr,
  };
}

/** The invariants `applySubscriptionAction` keeps; a record breaking one was not written by it. */
function checkHistory(history: readonly BillingAction[], nextSeq: number): void {
  const ids = new Set<string>();
  const seqs = new Set<number>();
  history.forEach((action, index) => {
    const previous = history[index - 1];
    if (previous !== undefined && previous.ts > action.ts) {
      throw corrupt(`history not in ts order at index ${index}`);
    }
    if (ids.has(action.id)) throw corrupt(`action id ${action.id} appears twice`);
    if (seqs.has(action.seq) || action.seq >= nextSeq) {
      throw corrupt(`action seq ${action.seq} repeated or ≥ nextSeq ${nextSeq}`);
    }
    if (action.action === 'cancel' && action.mrr !== 0n) {
      throw corrupt(`cancel ${action.id} with MRR ${action.mrr}`);
    }
    ids.add(action.id);
    seqs.add(action.seq);
  });
}
