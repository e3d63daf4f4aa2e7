import type { ApplicableEvent } from './apply-event.js';

/** A usage event for tests: tenant t1, user u1, account a1 unless overridden. */
export function usage(
  id: string,
  ts: string | number,
  fields: Partial<Omit<ApplicableEvent, 'id' | 'ts'>> = {},
): ApplicableEvent {
  return {
    id,
    ts: typeof ts === 'number' ? ts : Date.parse(ts),
    tenant: 't1',
    userId: 'u1',
    accountId: 'a1',
    module: null,
    product: null,
    feature: null,
    count: 1,
    ...fields,
  };
}

export const MINUTE = 60_000;
