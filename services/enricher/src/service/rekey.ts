import type { OutputRecord, RecordHeaders, SourceRecord } from '@cs/runtime';

/** Where a repartitioned record came from, so a dead letter of it names the raw record. */
export const SOURCE_HEADERS = {
  topic: 'cs-source-topic',
  partition: 'cs-source-partition',
  offset: 'cs-source-offset',
} as const;

export function headerText(headers: RecordHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/**
 * A raw record re-keyed onto a repartition topic: the same bytes (the raw schema, so the next step
 * decodes it like the raw topic), a new key, and where it came from.
 *
 * NOTE: the re-key runs in the same exactly-once shell as everything else: the repartition record
 * and the raw offset commit in one transaction, and the next step reads it committed, so each raw
 * record reaches its tenant's (or user's) ordered stream exactly once, in raw-partition order.
 */
export function rekeyed(source: SourceRecord, topic: string, key: string): OutputRecord {
  return {
    topic,
    key,
    value: source.value,
    headers: {
      [SOURCE_HEADERS.topic]: source.topic,
      [SOURCE_HEADERS.partition]: String(source.partition),
      [SOURCE_HEADERS.offset]: source.offset,
    },
  };
}
