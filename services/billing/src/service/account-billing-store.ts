import {
  applySubscriptionAction,
  createAccountBilling,
  decodeAccountBilling,
  encodeAccountBilling,
  type AccountBilling,
  type ApplicableSubscriptionAction,
  type ApplySubscriptionResult,
} from '../index.js';

interface AccountEntry {
  state: AccountBilling;
  /**
   * The encoding last written to the changelog (maybe not committed yet: this unit's): what a
   * failed record rolls the account back to. Undefined for an account new in this process.
   */
  encoded: Buffer | undefined;
}

export function accountKey(tenant: string, accountId: string): string {
  return `${tenant}/${accountId}`;
}

/**
 * The billing state of every account of one subscription partition (changelog `cs.billing.state`,
 * key `tenant/accountId`, partition = the input partition).
 */
export class AccountBillingStore {
  readonly #accounts = new Map<string, AccountEntry>();

  get size(): number {
    return this.#accounts.size;
  }

  /** One changelog record of a restore: the last one per key wins; a tombstone deletes. */
  restoreRecord(key: string, value: Buffer | null): void {
    if (value === null) {
      this.#accounts.delete(key);
      return;
    }
    this.#accounts.set(key, { state: decodeAccountBilling(value), encoded: value });
  }

  /**
   * Applies one action and renders its outputs; returns the new encoding to write to the changelog
   * (undefined when nothing changed). If rendering throws after the core changed the state in
   * place, the account is rolled back to its last encoding before the error propagates, so a
   * retried action is not taken for a duplicate of itself.
   */
  apply<Rendered>(
    record: ApplicableSubscriptionAction,
    render: (result: ApplySubscriptionResult) => Rendered,
  ): { result: ApplySubscriptionResult; rendered: Rendered; changelog: Buffer | undefined } {
    const key = accountKey(record.tenant, record.accountId);
    const entry = this.#accounts.get(key) ?? {
      state: createAccountBilling(record.tenant, record.accountId),
      encoded: undefined,
    };
    try {
      const result = applySubscriptionAction(entry.state, record);
      const rendered = render(result);
      if (result.outcome !== 'applied') return { result, rendered, changelog: undefined };
      entry.encoded = encodeAccountBilling(entry.state);
      this.#accounts.set(key, entry);
      return { result, rendered, changelog: entry.encoded };
    } catch (error) {
      if (entry.encoded === undefined) this.#accounts.delete(key);
      else entry.state = decodeAccountBilling(entry.encoded);
      throw error;
    }
  }

  /** The account's current state (tests). */
  account(tenant: string, accountId: string): AccountBilling | undefined {
    return this.#accounts.get(accountKey(tenant, accountId))?.state;
  }
}
