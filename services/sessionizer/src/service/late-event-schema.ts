import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { avroTypeForSchema, WIRE_HEADER_BYTES } from '@cs/schemas';
import { CsError } from '@cs/runtime';

/**
 * PROPOSAL for `schemas/avro/derived-late-event.avsc` (the derived schemas have no place for late
 * events yet). Until it moves there, the sessionizer registers it itself under its topic's subject
 * (BACKWARD) and encodes with it; the evolution rules of @cs/schemas apply all the same.
 */
export const lateEventAvroSchema = {
  type: 'record',
  name: 'LateEvent',
  namespace: 'io.cs.derived',
  doc: "A usage event whose local day had left its user's held horizon: counted for activity, not for time or sessions. Published by the sessionizer on cs.derived.late-events, key tenant/userId.",
  fields: [
    { name: 'tenant', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'accountId', type: 'string' },
    { name: 'eventId', type: 'string' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    {
      name: 'day',
      type: { type: 'int', logicalType: 'date' },
      doc: "The event's local date in the tenant's time zone.",
    },
    {
      name: 'heldFromDay',
      type: { type: 'int', logicalType: 'date' },
      doc: 'The oldest local day still held for the user when the event arrived.',
    },
  ],
} as const;

/** The record as avsc writes it (dates: days since 1970-01-01; instants: epoch ms). */
export interface LateEventRecord {
  tenant: string;
  userId: string;
  accountId: string;
  eventId: string;
  ts: number;
  day: number;
  heldFromDay: number;
}

export type LateEventSchemaErrorCode = 'LATE_SCHEMA_REGISTER_FAILED';

const lateEventType = avroTypeForSchema(lateEventAvroSchema);

/** Registers the late-event schema under `subject` (idempotent) and returns its id. */
export async function registerLateEventSchema(
  registry: SchemaRegistry,
  subject: string,
): Promise<number> {
  try {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(lateEventAvroSchema) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    return id;
  } catch (error) {
    throw new CsError<LateEventSchemaErrorCode>(
      'LATE_SCHEMA_REGISTER_FAILED',
      `could not register the late-event schema under ${subject}`,
      { cause: error, retriable: true },
    );
  }
}

/** Confluent wire bytes of a late event written with schema `id`. */
export function encodeLateEvent(id: number, record: LateEventRecord): Buffer {
  const header = Buffer.alloc(WIRE_HEADER_BYTES);
  header.writeUInt8(0, 0);
  header.writeUInt32BE(id, 1);
  return Buffer.concat([header, lateEventType.toBuffer(record)]);
}

/** Reads wire bytes written by `encodeLateEvent` (this schema version; for tests and tools). */
export function decodeLateEvent(bytes: Buffer): LateEventRecord {
  return lateEventType.fromBuffer(bytes.subarray(WIRE_HEADER_BYTES)) as LateEventRecord;
}
