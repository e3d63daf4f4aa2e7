import avro from 'avsc';
import type { ForSchemaOptions, Schema, Type } from 'avsc';
import { AVRO_SCHEMAS, type SchemaName } from './generated/index.js';
import { bytesToUnits, formatDecimal, parseDecimal, unitsToBytes } from './decimal.js';

/**
 * avsc's reading of the Avro `decimal` logical type: the JavaScript value is an exact decimal
 * string ("166.666667"), the wire value two's-complement bytes of the unscaled integer.
 * `timestamp-millis` and `date` stay plain numbers (epoch milliseconds, days since 1970-01-01).
 */
export class DecimalType extends avro.types.LogicalType {
  readonly precision: number;
  readonly scale: number;

  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts);
    const attrs = schema as { precision?: unknown; scale?: unknown };
    const precision = attrs.precision;
    const scale = attrs.scale ?? 0;
    if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) {
      throw new Error(`decimal: invalid precision ${JSON.stringify(precision)}`);
    }
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`decimal: invalid scale ${JSON.stringify(scale)}`);
    }
    if (this.underlyingType.typeName !== 'bytes') {
      throw new Error('decimal: only the bytes representation is supported');
    }
    this.precision = precision;
    this.scale = scale;
  }

  protected override _fromValue(value: Buffer): string {
    return formatDecimal(bytesToUnits(value), this.scale);
  }

  protected override _toValue(value: unknown): Buffer {
    if (typeof value !== 'string') throw new TypeError('decimal: value must be a decimal string');
    const parsed = parseDecimal(value, this.scale, this.precision);
    if (!parsed.ok) throw new RangeError(`decimal: ${value} ${parsed.rule}`);
    return unitsToBytes(parsed.units);
  }

  // NOTE: a writer without the decimal logical type (plain bytes) is refused rather than guessed
  // at: its bytes mean nothing without the writer's scale. This happens when the writer schema was
  // parsed without `avroOptions()`, e.g. by a SchemaRegistry not made by createSchemaRegistry.
  protected override _resolve(writer: Type): ((value: string) => string) | undefined {
    if (!(writer instanceof DecimalType)) return undefined;
    if (writer.scale === this.scale) return (value) => value;
    return (value) => {
      const parsed = parseDecimal(value, this.scale, this.precision);
      if (!parsed.ok) throw new RangeError(`decimal: ${value} ${parsed.rule}`);
      return formatDecimal(parsed.units, this.scale);
    };
  }

  protected override _export(attrs: Schema): void {
    Object.assign(attrs, { precision: this.precision, scale: this.scale });
  }
}

/**
 * Options every avsc type of ours is built with (also given to the schema registry client).
 * NOTE: a fresh object each time: avsc stores the names it defines in `opts.registry`, so a
 * shared options object makes the second schema named `io.cs.events.Usage` a duplicate.
 */
export function avroOptions(): Partial<ForSchemaOptions> {
  return { logicalTypes: { decimal: DecimalType } };
}

const types = new Map<SchemaName, Type>();

/** The avsc type of one of our schemas (the reader schema of this code version), built once. */
export function avroType(name: SchemaName): Type {
  let type = types.get(name);
  if (type === undefined) {
    type = avro.Type.forSchema(AVRO_SCHEMAS[name] as unknown as Schema, avroOptions());
    types.set(name, type);
  }
  return type;
}

/** Builds an avsc type from any schema (a writer schema, another version) with our options. */
export function avroTypeForSchema(schema: unknown): Type {
  return avro.Type.forSchema(schema as Schema, avroOptions());
}

/** The paths (`amount`, `properties.x`) at which a value does not fit a type; empty when valid. */
export function invalidPaths(type: Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[]) => {
      paths.push(path.join('.'));
    },
  });
  return paths;
}
