import type { AccountRecord, UsageRecord, UserRecord } from '@cs/schemas';

/** An account record of tenant `acme`: `account('e1', 10, 'A', 'B')` is A under B, recorded at 10. */
export function account(
  id: string,
  ts: number,
  accountId: string,
  parentId: string | null,
  fields: Partial<AccountRecord> = {},
): AccountRecord {
  return {
    id,
    tenant: 'acme',
    ts,
    accountId,
    name: null,
    parentId,
    joinDate: null,
    renewalDate: null,
    source: null,
    attributes: {},
    ...fields,
  };
}

export function user(
  id: string,
  ts: number,
  userId: string,
  accountId: string,
  fields: Partial<UserRecord> = {},
): UserRecord {
  return {
    id,
    tenant: 'acme',
    ts,
    userId,
    accountId,
    email: null,
    role: null,
    attributes: {},
    ...fields,
  };
}

export function usage(
  fields: Partial<UsageRecord> & Pick<UsageRecord, 'accountId' | 'userId'>,
): UsageRecord {
  return {
    id: 'u-1',
    tenant: 'acme',
    ts: 1_000,
    product: null,
    module: null,
    feature: null,
    count: 1,
    properties: {},
    ...fields,
  };
}
