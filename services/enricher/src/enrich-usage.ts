import type { UsageRecord } from '@cs/schemas';
import { accountPath } from './account-hierarchy.js';
import type { EnricherState } from './enricher-state.js';
import type { EnrichedUsage } from './outputs.js';
import { userRole } from './user-table.js';

/**
 * A usage event with its account path and its user's role. The path is the one of the event's own
 * `accountId` (the account the producer says it was used in), not of the user's latest account:
 * a user moved since keeps its past usage where it happened.
 */
export function enrichUsage(state: EnricherState, usage: UsageRecord): EnrichedUsage {
  return {
    ...usage,
    product: usage.product ?? '',
    accountPath: accountPath(state, usage.tenant, usage.accountId),
    role: userRole(state, usage.tenant, usage.userId),
  };
}
