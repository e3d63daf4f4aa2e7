import avro from 'avsc';
import type { Resolver, Type } from 'avsc';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { CsError } from '@cs/runtime';
import { avroType, invalidPaths } from './avro-types.js';
import type { RecordBySchemaName, SchemaName } from './generated/index.js';
import { isRegistryUnavailable, statusOf, type SchemaIds } from './registry.js';

/**
 * Confluent wire format: magic byte 0, the writer schema's registry id (4 bytes, big-endian), then
 * the Avro body. Encoding uses the ids from registerSchemas, so it needs no network; decoding
 * fetches each writer schema once and resolves it to this code's reader schema, so records
 * written by an older or newer (BACKWARD-compatible) producer read as today's record type.
 */

export type CodecErrorCode =
  | 'ENCODE_INVALID_RECORD'
  | 'DECODE_NOT_WIRE_FORMAT'
  | 'DECODE_UNKNOWN_SCHEMA'
  | 'DECODE_INCOMPATIBLE_SCHEMA'
  | 'DECODE_CORRUPT_BODY';

export const WIRE_HEADER_BYTES = 5;
const MAGIC_BYTE = 0;

export interface Codec {
  /** Wire bytes of a record; throws ENCODE_INVALID_RECORD naming the paths that do not fit. */
  encode<N extends SchemaName>(name: N, record: RecordBySchemaName[N]): Buffer;
  /**
   * The record in wire bytes, read as this code's `name` schema. Every failure is a CsError:
   * `retriable` when the registry could not be reached, otherwise the record belongs in the
   * dead-letter topic (it will never decode).
   */
  decode<N extends SchemaName>(name: N, bytes: Buffer): Promise<RecordBySchemaName[N]>;
}

const SCRATCH_BYTES = 64 * 1024;

/**
 * NOTE: avsc's writers check every value they write (type, int range, safe long, enum symbol, union
 * branch, logical type) and throw on the first misfit, so encoding needs no separate `isValid`
 * pass on the happy path; the full list of misfit paths is only worked out for the error.
 */
function invalidRecord(
  name: SchemaName,
  type: Type,
  record: unknown,
  cause: unknown,
): CsError<CodecErrorCode> {
  const misfits = invalidPaths(type, record);
  const where = misfits.length > 0 ? `at ${misfits.join(', ')}` : `(${messageOf(cause)})`;
  return new CsError<CodecErrorCode>(
    'ENCODE_INVALID_RECORD',
    `${name} record does not fit its schema ${where}`,
    { cause },
  );
}

/** The registry id in a wire-format message, or undefined when it is not one. */
export function wireSchemaId(bytes: Buffer): number | undefined {
  if (bytes.length < WIRE_HEADER_BYTES || bytes[0] !== MAGIC_BYTE) return undefined;
  return bytes.readUInt32BE(1);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A codec over `registry` (made by createSchemaRegistry) with our schemas' ids. Resolvers are
 * cached per (schema, writer id); the registry client caches writer schemas.
 */
export function createCodec(registry: SchemaRegistry, ids: SchemaIds): Codec {
  const resolvers = new Map<string, Promise<Resolver>>();

  const resolverFor = (name: SchemaName, id: number): Promise<Resolver> => {
    const key = `${name}:${id}`;
    let resolver = resolvers.get(key);
    if (resolver === undefined) {
      resolver = loadResolver(registry, avroType(name), name, id);
      resolvers.set(key, resolver);
      // A failed lookup (registry down) must be retried next time, not cached.
      void resolver.catch(() => resolvers.delete(key));
    }
    return resolver;
  };

  // Header and body are written into one scratch buffer and copied out once, at their exact size
  // (toBuffer + concat allocated and copied each record three times).
  let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

  return {
    encode(name, record) {
      const type = avroType(name);
      scratch.writeUInt8(MAGIC_BYTE, 0);
      scratch.writeUInt32BE(ids[name], 1);
      let end: number;
      try {
        end = type.encode(record, scratch, WIRE_HEADER_BYTES);
        if (end < 0) {
          // avsc returns minus the bytes missing: grow, then write again.
          const grown = Buffer.allocUnsafe(Math.max(2 * scratch.length, scratch.length - end));
          scratch.copy(grown, 0, 0, WIRE_HEADER_BYTES);
          scratch = grown;
          end = type.encode(record, scratch, WIRE_HEADER_BYTES);
        }
      } catch (error: unknown) {
        throw invalidRecord(name, type, record, error);
      }
      const bytes = Buffer.allocUnsafe(end);
      scratch.copy(bytes, 0, 0, end);
      return bytes;
    },

    async decode(name, bytes) {
      const id = wireSchemaId(bytes);
      if (id === undefined) {
        throw new CsError<CodecErrorCode>(
          'DECODE_NOT_WIRE_FORMAT',
          `not Confluent wire format (${bytes.length} bytes, first byte ${String(bytes[0])})`,
        );
      }
      const reader = avroType(name);
      // Our own schema needs no resolver (and no registry round trip).
      const resolver = id === ids[name] ? undefined : await resolverFor(name, id);
      try {
        const value: unknown = reader.fromBuffer(bytes.subarray(WIRE_HEADER_BYTES), resolver);
        return value as RecordBySchemaName[typeof name];
      } catch (error: unknown) {
        throw new CsError<CodecErrorCode>(
          'DECODE_CORRUPT_BODY',
          `${name} body does not decode with schema id ${id}: ${messageOf(error)}`,
          { cause: error },
        );
      }
    },
  };
}

async function loadResolver(
  registry: SchemaRegistry,
  reader: Type,
  name: SchemaName,
  id: number,
): Promise<Resolver> {
  let writer: unknown;
  try {
    writer = await registry.getSchema(id);
  } catch (error: unknown) {
    const missing = statusOf(error) === 404;
    throw new CsError<CodecErrorCode>(
      'DECODE_UNKNOWN_SCHEMA',
      missing
        ? `schema id ${id} is not in the registry`
        : `registry lookup of id ${id} failed: ${messageOf(error)}`,
      // NOTE: a refused connection or a timeout is status 400 too (isRegistryUnavailable): the
      // record waits for the registry rather than becoming a dead letter.
      { cause: error, retriable: !missing && isRegistryUnavailable(error) },
    );
  }
  try {
    if (!avro.Type.isType(writer)) throw new Error(`schema id ${id} is not an Avro schema`);
    return reader.createResolver(writer as Type);
  } catch (error: unknown) {
    throw new CsError<CodecErrorCode>(
      'DECODE_INCOMPATIBLE_SCHEMA',
      `writer schema id ${id} cannot be read as ${name}: ${messageOf(error)}`,
      { cause: error },
    );
  }
}
