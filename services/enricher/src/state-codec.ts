import { CsError } from '@cs/runtime';
import type { AccountRecord, UserRecord } from '@cs/schemas';
import { z } from 'zod';
import { tenantTables, type AccountEntry, type EnricherState } from './enricher-state.js';
import { userEntryOf } from './user-table.js';

/**
 * The enricher's tables as compacted changelogs: one record per account (key `tenant/accountId`)
 * and one per user (key `tenant/userId`), each the entry's whole state, so compaction keeps exactly
 * the current table. JSON, UTF-8, versioned by `v`; a version this code does not know is refused.
 *
 * Users, version 1: { "v": 1, "record": UserRecord }
 * Accounts, version 3: { "v": 3, "record": latest AccountRecord, "parentId": effective parent | null,
 *   "baseParentId": parent at the tenant's horizon start | null, "history": [{ "record", "origin":
 *   { topic, partition, offset } | null, "refused", "refusalReported", "late": { at, seq } | null }]
 *   } — the account's records within the tenant's hierarchy horizon in (ts, id) order (older ones
 *   folded into baseParentId), the hierarchy replay's input. The effective parent is stored too, so
 *   a restore (and the enrichment tables, which only follow the changelog) need no replay.
 * Accounts, version 2 (read only): version 3 without "baseParentId" and "late": every record of
 *   the account, so restored with baseParentId null and no late records.
 * Accounts, version 1 (read only): { "v": 1, "record", "parentId" }: restored with a history of the
 *   latest record alone.
 */
export const ENRICHER_STATE_VERSION = 1;
export const ACCOUNT_STATE_VERSION = 3;

export type EnricherStateCodecErrorCode = 'state_version_unknown' | 'state_corrupt';

// NOTE: maps are checked as `unknown` and rebuilt with Object.fromEntries, which defines keys as own
// properties: assigning a parsed `__proto__` key onto a fresh object would set its prototype.
const attributesSchema = z.unknown().transform((value, context): Record<string, string> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    context.addIssue({ code: 'custom', message: 'attributes: must be an object' });
    return z.NEVER;
  }
  const entries = Object.entries(value);
  if (!entries.every((entry): entry is [string, string] => typeof entry[1] === 'string')) {
    context.addIssue({ code: 'custom', message: 'attributes: values must be strings' });
    return z.NEVER;
  }
  return Object.fromEntries(entries);
});

const nullableString = z.string().nullable();
const nullableInt = z.number().int().nullable();

const accountRecordSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  ts: z.number().int(),
  accountId: z.string(),
  name: nullableString,
  parentId: nullableString,
  joinDate: nullableInt,
  renewalDate: nullableInt,
  source: nullableString,
  attributes: attributesSchema,
}) satisfies z.ZodType<AccountRecord>;

const userRecordSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  ts: z.number().int(),
  userId: z.string(),
  accountId: z.string(),
  email: nullableString,
  role: nullableString,
  attributes: attributesSchema,
}) satisfies z.ZodType<UserRecord>;

const accountEntryV1Schema = z.object({
  v: z.literal(1),
  record: accountRecordSchema,
  parentId: nullableString,
});
const heldRecordV2Schema = z.object({
  record: accountRecordSchema,
  origin: z
    .object({ topic: z.string(), partition: z.number().int(), offset: z.string() })
    .nullable(),
  refused: z.boolean(),
  refusalReported: z.boolean(),
});
const accountEntryV2Schema = z.object({
  v: z.literal(2),
  record: accountRecordSchema,
  parentId: nullableString,
  history: z.array(heldRecordV2Schema),
});
const accountEntrySchema = z.object({
  v: z.literal(3),
  record: accountRecordSchema,
  parentId: nullableString,
  baseParentId: nullableString,
  history: z.array(
    heldRecordV2Schema.extend({
      late: z.object({ at: z.number().int(), seq: z.number().int().min(0) }).nullable(),
    }),
  ),
});
const userEntrySchema = z.object({ v: z.literal(1), record: userRecordSchema });

export function encodeAccountEntry(entry: AccountEntry): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: ACCOUNT_STATE_VERSION,
      record: entry.record,
      parentId: entry.parentId,
      baseParentId: entry.baseParentId,
      history: entry.history.map((h) => ({
        record: h.record,
        origin: h.origin,
        refused: h.refused,
        refusalReported: h.refusalReported,
        late: h.late ?? null,
      })),
    }),
    'utf8',
  );
}

export function decodeAccountEntry(buffer: Buffer): AccountEntry {
  const parsed = parseJson(buffer, 'account');
  if (versionOf(parsed) === 1) {
    const value = validated(parsed, accountEntryV1Schema, 'account');
    return {
      record: value.record,
      parentId: value.parentId,
      baseParentId: null,
      history: [
        {
          record: value.record,
          origin: null,
          refused: value.record.parentId !== value.parentId,
          refusalReported: value.record.parentId !== value.parentId,
        },
      ],
    };
  }
  if (versionOf(parsed) === 2) {
    const value = validated(parsed, accountEntryV2Schema, 'account');
    return {
      record: value.record,
      parentId: value.parentId,
      baseParentId: null,
      history: value.history.map((h) => ({ ...h, late: null })),
    };
  }
  const value = checkedVersion(parsed, ACCOUNT_STATE_VERSION, accountEntrySchema, 'account');
  return {
    record: value.record,
    parentId: value.parentId,
    baseParentId: value.baseParentId,
    history: value.history,
  };
}

export function encodeUserRecord(record: UserRecord): Buffer {
  return Buffer.from(JSON.stringify({ v: ENRICHER_STATE_VERSION, record }), 'utf8');
}

export function decodeUserRecord(buffer: Buffer): UserRecord {
  return checkedVersion(parseJson(buffer, 'user'), ENRICHER_STATE_VERSION, userEntrySchema, 'user')
    .record;
}

/** Puts a decoded account entry back into the state (changelog restore, any key order). */
export function restoreAccountEntry(state: EnricherState, entry: AccountEntry): void {
  const tables = tenantTables(state, entry.record.tenant);
  tables.accounts.set(entry.record.accountId, entry);
  tables.replay = undefined;
}

/** Puts a decoded user record back into the state (changelog restore, any key order). */
export function restoreUserRecord(state: EnricherState, record: UserRecord): void {
  tenantTables(state, record.tenant).users.set(record.userId, userEntryOf(record));
}

function parseJson(buffer: Buffer, what: string): unknown {
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch (error: unknown) {
    throw new CsError<EnricherStateCodecErrorCode>('state_corrupt', `${what} state: not JSON`, {
      cause: error,
    });
  }
}

function versionOf(parsed: unknown): unknown {
  return typeof parsed === 'object' && parsed !== null && 'v' in parsed ? parsed.v : undefined;
}

function checkedVersion<Output>(
  parsed: unknown,
  expected: number,
  schema: z.ZodType<Output>,
  what: string,
): Output {
  const version = versionOf(parsed);
  if (version !== expected) {
    throw new CsError<EnricherStateCodecErrorCode>(
      'state_version_unknown',
      `${what} state version ${String(version)} is not known (this code reads ${expected})`,
    );
  }
  return validated(parsed, schema, what);
}

function validated<Output>(parsed: unknown, schema: z.ZodType<Output>, what: string): Output {
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new CsError<EnricherStateCodecErrorCode>(
      'state_corrupt',
      `${what} state: ${result.error.message}`,
      { cause: result.error },
    );
  }
  return result.data;
}
