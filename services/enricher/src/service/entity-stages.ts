import { deadLetterRecord, type OutputRecord, type SourceRecord } from '@cs/runtime';
import type { AccountRecord, Codec, UserRecord } from '@cs/schemas';
import {
  applyAccountRecord,
  applyUserRecord,
  encodeAccountEntry,
  encodeUserRecord,
  tenantTables,
  type AccountOutput,
  type EnricherState,
} from '../index.js';
import type { EnricherTopics } from './enricher-topics.js';
import { SOURCE_HEADERS, headerText } from './rekey.js';
import type { TenantDay } from '@cs/sessionizer';

export interface StageEncoding {
  readonly topics: EnricherTopics;
  readonly codec: Codec;
  readonly dayOf: TenantDay;
}

/** The dead-letter step of a refused hierarchy link (CONTRACT §2: refused and reported). */
export const HIERARCHY_STEP = 'enricher.hierarchy';

export interface StageResult {
  readonly outcome: 'applied' | 'stale' | 'duplicate';
  readonly outputs: OutputRecord[];
  readonly changelog: OutputRecord[];
  readonly refusals: number;
}

/**
 * One account record of a tenant's ordered stream: applied to the partition's tables (latest
 * state, cycle refusal), rendered as account-state, hierarchy-edge and refusal records plus the
 * account's changelog entry. If rendering throws, the account is put back as it was, so a retry
 * does not see its own record as a duplicate.
 */
export function applyAccountStage(
  state: EnricherState,
  record: AccountRecord,
  source: SourceRecord,
  encoding: StageEncoding,
): StageResult {
  const accounts = tenantTables(state, record.tenant).accounts;
  const before = accounts.get(record.accountId);
  try {
    const result = applyAccountRecord(state, record);
    if (result.outcome !== 'applied') {
      return { outcome: result.outcome, outputs: [], changelog: [], refusals: 0 };
    }
    const key = `${record.tenant}/${record.accountId}`;
    const { topics, codec, dayOf } = encoding;
    const outputs: OutputRecord[] = [
      {
        topic: topics.accountState,
        key,
        value: codec.encode('derived-account-state', {
          tenant: record.tenant,
          accountId: record.accountId,
          name: record.name,
          parentId: record.parentId,
          joinDate: record.joinDate,
          renewalDate: record.renewalDate,
          source: record.source,
          attributes: record.attributes,
          ts: record.ts,
          day: dayOf(record.tenant, record.ts),
        }),
      },
      ...result.outputs.map((output) => accountOutputRecord(output, key, source, encoding)),
    ];
    const entry = accounts.get(record.accountId);
    const changelog: OutputRecord[] =
      entry === undefined
        ? []
        : [
            {
              topic: topics.accountsChangelog,
              key,
              value: encodeAccountEntry(entry),
              // NOTE: changelog partition n belongs to repartition partition n, whatever the key
              // hashes to: only that partition's transactional producer ever writes it.
              partition: source.partition,
            },
          ];
    const refusals = result.outputs.filter((o) => o.type === 'hierarchy-refusal').length;
    return { outcome: 'applied', outputs, changelog, refusals };
  } catch (error) {
    if (before === undefined) accounts.delete(record.accountId);
    else accounts.set(record.accountId, before);
    throw error;
  }
}

function accountOutputRecord(
  output: AccountOutput,
  key: string,
  source: SourceRecord,
  encoding: StageEncoding,
): OutputRecord {
  if (output.type === 'hierarchy-edge') {
    return {
      topic: encoding.topics.hierarchyEdge,
      key,
      value: encoding.codec.encode('derived-hierarchy-edge', { ...output.row }),
    };
  }
  // A refusal is a dead letter of the refused record: its original bytes, its raw topic,
  // partition and offset (carried through the repartition in headers), the reason naming the chain.
  const original: SourceRecord = {
    topic: headerText(source.headers, SOURCE_HEADERS.topic) ?? source.topic,
    partition: Number(headerText(source.headers, SOURCE_HEADERS.partition) ?? source.partition),
    offset: headerText(source.headers, SOURCE_HEADERS.offset) ?? source.offset,
    key: Buffer.from(key, 'utf8'),
    value: source.value,
    headers: {},
    timestamp: source.timestamp,
  };
  return deadLetterRecord(
    original,
    { reason: output.row.reason, step: HIERARCHY_STEP },
    encoding.topics.deadLetter,
  );
}

/** One user record of a user's ordered stream: the latest state, rendered as user-state. */
export function applyUserStage(
  state: EnricherState,
  record: UserRecord,
  source: SourceRecord,
  encoding: StageEncoding,
): StageResult {
  const users = tenantTables(state, record.tenant).users;
  const before = users.get(record.userId);
  try {
    const result = applyUserRecord(state, record);
    if (result.outcome !== 'applied') {
      return { outcome: result.outcome, outputs: [], changelog: [], refusals: 0 };
    }
    const { topics, codec, dayOf } = encoding;
    const outputs: OutputRecord[] = [
      {
        topic: topics.userState,
        key: `${record.tenant}/${record.accountId}`,
        value: codec.encode('derived-user-state', {
          tenant: record.tenant,
          userId: record.userId,
          accountId: record.accountId,
          email: record.email,
          role: record.role,
          attributes: record.attributes,
          ts: record.ts,
          day: dayOf(record.tenant, record.ts),
        }),
      },
    ];
    const changelog: OutputRecord[] = [
      {
        topic: topics.usersChangelog,
        key: `${record.tenant}/${record.userId}`,
        value: encodeUserRecord(record),
        partition: source.partition,
      },
    ];
    return { outcome: 'applied', outputs, changelog, refusals: 0 };
  } catch (error) {
    if (before === undefined) users.delete(record.userId);
    else users.set(record.userId, before);
    throw error;
  }
}
