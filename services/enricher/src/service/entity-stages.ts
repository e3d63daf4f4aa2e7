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
  type RecordOrigin,
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
 * One account record of a tenant's stream: applied to the partition's tables (latest state; the
 * hierarchy replayed in (`ts`, `id`) order when it arrived out of that order), rendered as
 * account-state (when it is the account's latest), hierarchy-edge records for every account whose
 * effective parent changed, refusal dead letters and the changelog entries of every changed
 * account. If rendering throws, the tenant's accounts are put back as they were, so a retry does
 * not see its own record as a duplicate.
 */
export function applyAccountStage(
  state: EnricherState,
  record: AccountRecord,
  source: SourceRecord,
  encoding: StageEncoding,
): StageResult {
  const tables = tenantTables(state, record.tenant);
  const accounts = tables.accounts;
  const before = new Map(accounts);
  try {
    const result = applyAccountRecord(state, record, originOf(source));
    if (result.outcome === 'duplicate') {
      return { outcome: result.outcome, outputs: [], changelog: [], refusals: 0 };
    }
    const key = `${record.tenant}/${record.accountId}`;
    const { topics, codec, dayOf } = encoding;
    const outputs: OutputRecord[] = [];
    if (result.outcome === 'applied') {
      outputs.push({
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
      });
    }
    outputs.push(...result.outputs.map((output) => accountOutputRecord(output, source, encoding)));
    const changelog: OutputRecord[] = result.changed.flatMap((accountId) => {
      const entry = accounts.get(accountId);
      return entry === undefined
        ? []
        : [
            {
              topic: topics.accountsChangelog,
              key: `${record.tenant}/${accountId}`,
              value: encodeAccountEntry(entry),
              // NOTE: changelog partition n belongs to repartition partition n, whatever the key
              // hashes to: only that partition's transactional producer ever writes it.
              partition: source.partition,
            },
          ];
    });
    const refusals = result.outputs.filter((o) => o.type === 'hierarchy-refusal').length;
    return { outcome: result.outcome, outputs, changelog, refusals };
  } catch (error) {
    accounts.clear();
    for (const [accountId, entry] of before) accounts.set(accountId, entry);
    // The replay was updated in place: rebuilt from the restored entries on next use.
    tables.replay = undefined;
    throw error;
  }
}

/** The raw record behind a repartitioned one (carried through the repartition in headers). */
function originOf(source: SourceRecord): RecordOrigin {
  return {
    topic: headerText(source.headers, SOURCE_HEADERS.topic) ?? source.topic,
    partition: Number(headerText(source.headers, SOURCE_HEADERS.partition) ?? source.partition),
    offset: headerText(source.headers, SOURCE_HEADERS.offset) ?? source.offset,
  };
}

function accountOutputRecord(
  output: AccountOutput,
  source: SourceRecord,
  encoding: StageEncoding,
): OutputRecord {
  const key = `${output.row.tenant}/${output.row.accountId}`;
  if (output.type === 'hierarchy-edge') {
    return {
      topic: encoding.topics.hierarchyEdge,
      key,
      value: encoding.codec.encode('derived-hierarchy-edge', { ...output.row }),
    };
  }
  // A refusal is a dead letter of the refused record: its raw topic, partition and offset, the
  // reason naming the chain, and its bytes — the source's own when it is the record being
  // processed; re-encoded (same schema, same content) when an earlier record is refused because a
  // late one arrived before it in (ts, id) order.
  const arriving = output.origin !== null && originMatches(source, output.origin);
  // NOTE: an origin is unknown only for a record restored from a version 1 changelog entry.
  const origin = output.origin ?? { topic: encoding.topics.account, partition: -1, offset: '-1' };
  const original: SourceRecord = {
    topic: origin.topic,
    partition: origin.partition,
    offset: origin.offset,
    key: Buffer.from(key, 'utf8'),
    value: arriving ? source.value : encoding.codec.encode('account', output.record),
    headers: {},
    timestamp: source.timestamp,
  };
  return deadLetterRecord(
    original,
    { reason: output.row.reason, step: HIERARCHY_STEP },
    encoding.topics.deadLetter,
  );
}

function originMatches(source: SourceRecord, origin: RecordOrigin): boolean {
  const here = originOf(source);
  return (
    here.topic === origin.topic &&
    here.partition === origin.partition &&
    here.offset === origin.offset
  );
}

/**
 * One user record of a user's ordered stream. An applied record becomes the user's state (table
 * and changelog); applied or stale, it is published as user-state.
 *
 * NOTE: a stale record (older `ts` than the user's latest) changes no state, but it is still a
 * user record of its day: a user is known from its first record's day (CONTRACT §2, cs.users'
 * known-since in user_records_first). Records of one user under different accounts arrive on
 * different raw partitions, so an older one can come after a newer one; dropping it would make
 * the user known only from the newer record's day. users_current takes the latest by ts, so the
 * stale row never becomes the user's current one.
 */
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
    if (result.outcome === 'duplicate') {
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
    if (result.outcome === 'stale') {
      return { outcome: result.outcome, outputs, changelog: [], refusals: 0 };
    }
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
