import type { KafkaMessage } from 'kafkajs';
import { CsError, errorMessage } from '@cs/runtime';
import { derivedSchemaName, type Codec, type DerivedName, type TopicCatalog } from '@cs/schemas';
import { deadLetterRow, refusedRecordRow } from './dead-letter-rows.js';
import { TABLE_OF_DERIVED, type FactTable } from './fact-tables.js';
import type { BatchRows, RowBuilder } from './partition-lane.js';
import { mapDerived, type DerivedRecord, type FactRow } from './row-mapping.js';

/** What a consumed topic carries. */
export type TopicKind =
  | { readonly kind: 'derived'; readonly name: DerivedName; readonly table: FactTable }
  | { readonly kind: 'dead-letter'; readonly table: 'dead_letters' };

/** Every topic the sink consumes, by full name (prefix included). */
export function sinkTopics(catalog: TopicCatalog): Map<string, TopicKind> {
  const topics = new Map<string, TopicKind>();
  for (const [name, spec] of Object.entries(catalog.derived) as [DerivedName, { name: string }][]) {
    topics.set(spec.name, { kind: 'derived', name, table: TABLE_OF_DERIVED[name] });
  }
  topics.set(catalog.deadLetter.name, { kind: 'dead-letter', table: 'dead_letters' });
  return topics;
}

/** The step named in `dead_letters.step` for records the sink itself refuses. */
export const SINK_STEP = { decode: 'sink-decode', map: 'sink-map' } as const;

type Decoded = { ok: true; record: unknown } | { ok: false; reason: string };

async function decodeRecord(
  codec: Codec,
  name: DerivedName,
  message: KafkaMessage,
): Promise<Decoded> {
  if (message.value === null) return { ok: false, reason: 'tombstone on a derived topic' };
  try {
    return { ok: true, record: await codec.decode(derivedSchemaName(name), message.value) };
  } catch (error) {
    // NOTE: the registry being unreachable is not the record's fault: the whole batch is retried.
    if (error instanceof CsError && error.retriable) throw error;
    return { ok: false, reason: errorMessage(error) };
  }
}

/**
 * Decodes and maps a batch. A record that cannot be decoded or mapped becomes a `dead_letters` row
 * (written with the batch, under its own token) instead of blocking the partition.
 */
export function createRowBuilder(codec: Codec, topics: ReadonlyMap<string, TopicKind>): RowBuilder {
  return async (topic, partition, messages): Promise<BatchRows> => {
    const kind = topics.get(topic);
    if (kind === undefined) throw new CsError('UNKNOWN_TOPIC', `not a sink topic: ${topic}`);
    const rows: FactRow[] = [];
    const refused: FactRow[] = [];
    if (kind.kind === 'dead-letter') {
      for (const message of messages) {
        rows.push(deadLetterRow({ ...message, headers: message.headers ?? {} }));
      }
      return { rows, refused };
    }
    const source = (message: KafkaMessage) => ({
      ...message,
      headers: message.headers ?? {},
      topic,
      partition,
    });
    for (const message of messages) {
      const decoded = await decodeRecord(codec, kind.name, message);
      if (!decoded.ok) {
        refused.push(refusedRecordRow(source(message), SINK_STEP.decode, decoded.reason));
        continue;
      }
      try {
        rows.push(
          mapDerived(kind.name, decoded.record as DerivedRecord<typeof kind.name>, message.offset),
        );
      } catch (error) {
        refused.push(refusedRecordRow(source(message), SINK_STEP.map, errorMessage(error)));
      }
    }
    return { rows, refused };
  };
}
