import type { OutputRecord, SourceRecord } from './outcome.js';

/** Headers every dead-letter record carries, next to the original record's own headers. */
export const DLQ_HEADERS = {
  reason: 'cs-dlq-reason',
  step: 'cs-dlq-step',
  topic: 'cs-dlq-topic',
  partition: 'cs-dlq-partition',
  offset: 'cs-dlq-offset',
  time: 'cs-dlq-time',
} as const;

/**
 * The dead-letter copy of a record: the ORIGINAL key and value bytes (so it can be replayed or
 * inspected with the same codec), the original headers, and where/why/when it failed.
 */
export function deadLetterRecord(
  source: SourceRecord,
  failure: { reason: string; step: string },
  dlqTopic: string,
  now: Date = new Date(),
): OutputRecord {
  const headers: Record<string, Buffer | string> = {};
  for (const [name, value] of Object.entries(source.headers)) {
    // NOTE: repeated header values are joined only when they are strings; a repeated binary header
    // keeps its first value (kafkajs produces one value per header name).
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const first = value[0];
      if (first === undefined) continue;
      headers[name] = value.every((item) => typeof item === 'string') ? value.join(',') : first;
    } else {
      headers[name] = value;
    }
  }
  headers[DLQ_HEADERS.reason] = failure.reason;
  headers[DLQ_HEADERS.step] = failure.step;
  headers[DLQ_HEADERS.topic] = source.topic;
  headers[DLQ_HEADERS.partition] = String(source.partition);
  headers[DLQ_HEADERS.offset] = source.offset;
  headers[DLQ_HEADERS.time] = now.toISOString();
  return { topic: dlqTopic, key: source.key, value: source.value, headers };
}
