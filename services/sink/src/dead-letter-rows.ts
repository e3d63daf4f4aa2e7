import { DLQ_HEADERS } from '@cs/runtime';
import { TENANT_PATTERN } from '@cs/schemas';
import { dateTime64 } from './clickhouse-values.js';
import type { FactRow } from './row-mapping.js';

/** The parts of a Kafka record a dead-letter row is made of. */
export interface DeadLetterSource {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, HeaderValue | undefined>>;
  /** Record timestamp, epoch ms as a decimal string (kafkajs). */
  readonly timestamp: string;
}

type HeaderValue = Buffer | string | Array<Buffer | string>;

function header(headers: DeadLetterSource['headers'], name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// C0 controls other than tab, newline and carriage return mark binary data (Avro bodies are often
// valid UTF-8 by accident: the wire format starts with a 0x00 byte).
// eslint-disable-next-line no-control-regex
const BINARY_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * The payload column: the bytes as text when they are UTF-8 text, otherwise `base64:` followed by
 * their base64 (so a reader can always tell the two apart and get the exact bytes back). A
 * tombstone is `''`.
 */
export function payloadText(value: Buffer | null): string {
  if (value === null || value.length === 0) return '';
  try {
    const text = utf8.decode(value);
    if (!BINARY_CONTROL.test(text) && !text.startsWith('base64:')) return text;
  } catch {
    // Not UTF-8: fall through to base64; that is the answer for binary data, not an error.
  }
  return `base64:${value.toString('base64')}`;
}

/** The tenant from the original key `tenant/…` (every topic's key starts with it), else `''`. */
export function tenantOfKey(key: Buffer | null): string {
  if (key === null) return '';
  const text = key.toString('utf8');
  const slash = text.indexOf('/');
  const candidate = slash === -1 ? '' : text.slice(0, slash);
  return TENANT_PATTERN.test(candidate) ? candidate : '';
}

function integer(text: string | undefined, fallback: number): number {
  if (text === undefined || !/^-?\d+$/.test(text)) return fallback;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : fallback;
}

/**
 * A record of the dead-letter topic (the shell's format: original key and bytes, `cs-dlq-*`
 * headers) as a `dead_letters` row. Missing headers give `''` / -1 / the record's own timestamp,
 * so a foreign record on the topic is still stored, never lost.
 */
export function deadLetterRow(source: DeadLetterSource): FactRow {
  const { headers } = source;
  const time = header(headers, DLQ_HEADERS.time);
  const parsed = time === undefined ? Number.NaN : Date.parse(time);
  return {
    tenant: tenantOfKey(source.key),
    topic: header(headers, DLQ_HEADERS.topic) ?? '',
    source_partition: integer(header(headers, DLQ_HEADERS.partition), -1),
    source_offset: integer(header(headers, DLQ_HEADERS.offset), -1),
    step: header(headers, DLQ_HEADERS.step) ?? '',
    reason: header(headers, DLQ_HEADERS.reason) ?? '',
    received_at: dateTime64(Number.isNaN(parsed) ? Number(source.timestamp) : parsed),
    payload: payloadText(source.value),
  };
}

/**
 * A derived record the sink itself cannot store (undecodable, or a value its table refuses) as a
 * `dead_letters` row, written in the same batch with its own deduplication token.
 */
export function refusedRecordRow(
  source: DeadLetterSource & { topic: string; partition: number; offset: string },
  step: string,
  reason: string,
): FactRow {
  return {
    tenant: tenantOfKey(source.key),
    topic: source.topic,
    source_partition: source.partition,
    source_offset: integer(source.offset, -1),
    step,
    reason,
    received_at: dateTime64(Number(source.timestamp)),
    payload: payloadText(source.value),
  };
}
