import {
  outcome,
  type HandlerOutcome,
  type RecordDecoder,
  type RecordHandler,
  type SourceRecord,
  type PartitionStates,
} from '@cs/runtime';
import type { AccountRecord, EnrichedUsageRecord, UserRecord } from '@cs/schemas';
import {
  lookupAccountPath,
  lookupUserRole,
  type EnricherState,
  type LookupTables,
} from '../index.js';
import { applyAccountStage, applyUserStage, type StageEncoding } from './entity-stages.js';
import { rekeyed } from './rekey.js';

/** What the enricher reads, by input topic. */
export type EnricherInput =
  | { readonly type: 'raw-account'; readonly record: AccountRecord }
  | { readonly type: 'raw-user'; readonly record: UserRecord }
  | { readonly type: 'account'; readonly record: AccountRecord }
  | { readonly type: 'user'; readonly record: UserRecord }
  | { readonly type: 'activity'; readonly record: EnrichedUsageRecord };

export interface EnricherHandlerOptions {
  readonly encoding: StageEncoding;
  /** Hierarchy state per accounts-by-tenant partition; user table per users-by-user partition. */
  readonly accounts: PartitionStates<EnricherState>;
  readonly users: PartitionStates<EnricherState>;
  /** The whole tables, followed from the changelogs (usage enrichment). */
  readonly tables: LookupTables;
  readonly onEntity?: (kind: 'account' | 'user', result: string, refusals: number) => void;
}

/** Decodes by input topic; throwing (a CsError) is the shell's dead letter (or retry). */
export function enricherDecoder(options: EnricherHandlerOptions): RecordDecoder<EnricherInput> {
  const { topics, codec } = options.encoding;
  return async (source: SourceRecord): Promise<EnricherInput> => {
    const bytes = source.value ?? Buffer.alloc(0);
    switch (source.topic) {
      case topics.account:
        return { type: 'raw-account', record: await codec.decode('account', bytes) };
      case topics.user:
        return { type: 'raw-user', record: await codec.decode('user', bytes) };
      case topics.accountsByTenant:
        return { type: 'account', record: await codec.decode('account', bytes) };
      case topics.usersByUser:
        return { type: 'user', record: await codec.decode('user', bytes) };
      default:
        return { type: 'activity', record: await codec.decode('derived-enriched-usage', bytes) };
    }
  };
}

/**
 * Three steps in one exactly-once shell:
 *  1. raw account / user records are re-keyed (by `tenant` / `tenant/userId`) onto repartition
 *     topics, so each tenant's account records form one ordered stream (cycle refusal is decided in
 *     one place, in one order) and each user's records another;
 *  2. those streams are applied to the partition's tables (restored from the changelogs), giving
 *     account and user states, hierarchy edges, refusals (dead letters) and changelog entries;
 *  3. the sessionizer's activity rows get the account path and the user's role from the whole
 *     tables, and go out as enriched usage (the one producer of `usage_events`).
 */
export function enricherHandler(options: EnricherHandlerOptions): RecordHandler<EnricherInput> {
  const { encoding } = options;
  const { topics, codec } = encoding;
  return async ({ data, source }): Promise<HandlerOutcome> => {
    switch (data.type) {
      case 'raw-account':
        return outcome.ok([rekeyed(source, topics.accountsByTenant, data.record.tenant)]);
      case 'raw-user':
        return outcome.ok([
          rekeyed(source, topics.usersByUser, `${data.record.tenant}/${data.record.userId}`),
        ]);
      case 'account':
      case 'user': {
        const partitions = data.type === 'account' ? options.accounts : options.users;
        const state = await partitions.stateFor(source);
        if (state === undefined) {
          return outcome.retry(
            `restoring the ${data.type} tables of partition ${source.partition} failed`,
          );
        }
        const result =
          data.type === 'account'
            ? applyAccountStage(state, data.record, source, encoding)
            : applyUserStage(state, data.record, source, encoding);
        partitions.handled(source);
        options.onEntity?.(data.type, result.outcome, result.refusals);
        // A stale record still has outputs: an account record joins the hierarchy's history (the
        // corrections it causes), a user record is published for its day (see applyUserStage).
        if (result.outcome === 'duplicate' || result.outputs.length + result.changelog.length === 0)
          return outcome.drop(`${result.outcome} ${data.type} record`);
        return outcome.ok(result.outputs, result.changelog);
      }
      case 'activity': {
        const usage = data.record;
        const enriched: EnrichedUsageRecord = {
          ...usage,
          accountPath: lookupAccountPath(options.tables, usage.tenant, usage.accountId),
          role: lookupUserRole(options.tables, usage.tenant, usage.userId),
        };
        return outcome.ok([
          {
            topic: topics.enrichedUsage,
            key: source.key ?? `${usage.tenant}/${usage.userId}`,
            value: codec.encode('derived-enriched-usage', enriched),
          },
        ]);
      }
    }
  };
}
