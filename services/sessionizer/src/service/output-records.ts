import type { OutputRecord } from '@cs/runtime';
import type { Codec, UsageRecord } from '@cs/schemas';
import { dayNumberOf } from '../local-day.js';
import type { SessionizerOutput } from '../outputs.js';
import type { SessionizerTopics } from './sessionizer-topics.js';

export interface OutputEncoding {
  readonly topics: SessionizerTopics;
  /** Encodes the derived schemas; `derived-enriched-usage` with the activity topic's schema id. */
  readonly codec: Codec;
}

/**
 * The derived records of one event's outputs, keyed `tenant/userId` (the default partitioner
 * keeps each user's corrections in order on one partition of every derived topic):
 *
 * - `session` → derived-session, `time` → derived-time-slice (no session id: the core keys time
 *   by user-day and context, and the schema allows null);
 * - `activity` → the enriched-usage shape on the activity topic (no account path or role: the
 *   enricher knows those), with the event's properties;
 * - `late` → derived-late-event (the sink counts them in `late_events`).
 */
export function outputRecords(
  outputs: readonly SessionizerOutput[],
  event: UsageRecord,
  encoding: OutputEncoding,
): OutputRecord[] {
  const { topics, codec } = encoding;
  const key = `${event.tenant}/${event.userId}`;
  const records: OutputRecord[] = [];
  for (const output of outputs) {
    switch (output.kind) {
      case 'session': {
        const row = output.row;
        records.push({
          topic: topics.session,
          key,
          value: codec.encode('derived-session', {
            tenant: row.tenant,
            sessionId: row.sessionId,
            userId: row.userId,
            accountId: row.accountId,
            day: dayNumberOf(row.day),
            startedAt: row.startedAt,
            endedAt: row.endedAt,
            durationMs: row.durationMs,
            events: row.events,
            moduleTimeMs: { ...row.moduleTimeMs },
            sign: row.sign,
          }),
        });
        break;
      }
      case 'time': {
        const row = output.row;
        records.push({
          topic: topics.timeSlice,
          key,
          value: codec.encode('derived-time-slice', {
            tenant: row.tenant,
            userId: row.userId,
            accountId: row.accountId,
            day: dayNumberOf(row.day),
            sessionId: null,
            product: row.product,
            module: row.module,
            ms: row.ms,
            sign: row.sign,
          }),
        });
        break;
      }
      case 'activity': {
        const row = output.row;
        records.push({
          topic: topics.activity,
          key,
          value: codec.encode('derived-enriched-usage', {
            tenant: row.tenant,
            eventId: row.eventId,
            ts: row.ts,
            day: dayNumberOf(row.day),
            accountId: row.accountId,
            userId: row.userId,
            product: event.product,
            module: event.module,
            feature: row.feature,
            count: row.count,
            accountPath: [],
            role: null,
            properties: event.properties,
          }),
        });
        break;
      }
      case 'late': {
        const row = output.row;
        records.push({
          topic: topics.late,
          key,
          value: codec.encode('derived-late-event', {
            tenant: row.tenant,
            userId: row.userId,
            accountId: row.accountId,
            eventId: row.eventId,
            ts: row.ts,
            day: dayNumberOf(row.day),
            heldFromDay: dayNumberOf(row.heldFromDay),
          }),
        });
        break;
      }
    }
  }
  return records;
}
