import type { OutputRecord } from '@cs/runtime';
import type { Codec, UsageRecord } from '@cs/schemas';
import { dayNumberOf } from '../local-day.js';
import type { SessionRow, SessionizerOutput, TimeSliceRow } from '../outputs.js';
import type { NettedRows } from './net-rows.js';
import type { SessionizerTopics } from './sessionizer-topics.js';

export interface OutputEncoding {
  readonly topics: SessionizerTopics;
  /** Encodes the derived schemas; `derived-enriched-usage` with the activity topic's schema id. */
  readonly codec: Codec;
}

/**
 * Every derived record is keyed `tenant/userId`: the default partitioner keeps each user's rows on
 * one partition of every derived topic, and units are delivered in order, so a user's corrections
 * are read in the order they were made.
 */
const keyOf = (row: { readonly tenant: string; readonly userId: string }): string =>
  `${row.tenant}/${row.userId}`;

/** A session row → derived-session. */
export function sessionRecord(row: SessionRow, encoding: OutputEncoding): OutputRecord {
  return {
    topic: encoding.topics.session,
    key: keyOf(row),
    value: encoding.codec.encode('derived-session', {
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
  };
}

/**
 * A time row → derived-time-slice (no session id: the core keys time by user-day and context, and
 * the schema allows null).
 */
export function timeSliceRecord(row: TimeSliceRow, encoding: OutputEncoding): OutputRecord {
  return {
    topic: encoding.topics.timeSlice,
    key: keyOf(row),
    value: encoding.codec.encode('derived-time-slice', {
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
  };
}

/** A commit unit's netted session and time rows (PartitionState.takeNetRows), encoded. */
export function nettedRecords(rows: NettedRows, encoding: OutputEncoding): OutputRecord[] {
  const records: OutputRecord[] = [];
  for (const row of rows.sessions) records.push(sessionRecord(row, encoding));
  for (const row of rows.time) records.push(timeSliceRecord(row, encoding));
  return records;
}

/**
 * The records of one event's facts, written as the event is handled:
 *
 * - `activity` → the enriched-usage shape on the activity topic (no account path or role: the
 *   enricher knows those), with the event's properties;
 * - `late` → derived-late-event (the sink counts them in `late_events`).
 *
 * Session and time rows are left out: they are netted per commit unit (NetRows) and encoded by
 * `nettedRecords` right before the unit is delivered.
 */
export function factRecords(
  outputs: readonly SessionizerOutput[],
  event: UsageRecord,
  encoding: OutputEncoding,
): OutputRecord[] {
  const { topics, codec } = encoding;
  const records: OutputRecord[] = [];
  for (const output of outputs) {
    if (output.kind === 'activity') {
      const row = output.row;
      records.push({
        topic: topics.activity,
        key: keyOf(row),
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
    } else if (output.kind === 'late') {
      const row = output.row;
      records.push({
        topic: topics.late,
        key: keyOf(row),
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
    }
  }
  return records;
}
