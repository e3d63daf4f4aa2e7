import type { SubscriptionRecord } from '@cs/schemas';

/** A valid subscription record for tests: monthly, quantity 1, tenant `acme`, account `a1`. */
export function subscriptionRecord(
  fields: Partial<SubscriptionRecord> & Pick<SubscriptionRecord, 'id' | 'ts' | 'action'>,
): SubscriptionRecord {
  return {
    tenant: 'acme',
    accountId: 'a1',
    subscriptionId: 's1',
    plan: null,
    billingPeriodMonths: 1,
    amount: fields.action === 'cancel' ? null : '100',
    quantity: 1,
    currency: 'EUR',
    ...fields,
  };
}

/** Epoch ms of an ISO instant, to write test histories by date. */
export const at = (iso: string): number => Date.parse(iso);
