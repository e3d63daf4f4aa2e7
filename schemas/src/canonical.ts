import {
  AVRO_SCHEMAS,
  type CanonicalEventByType,
  type EventType,
  type RecordBySchemaName,
} from './generated/index.js';
import { formatDate, formatInstant } from './time.js';

type FieldKind = 'instant' | 'date' | 'map' | 'plain';

interface FieldRendering {
  name: string;
  kind: FieldKind;
}

function kindOf(type: unknown): FieldKind {
  const inner = Array.isArray(type)
    ? (type as unknown[]).find((branch) => branch !== 'null')
    : type;
  if (typeof inner !== 'object' || inner === null) return 'plain';
  const attrs = inner as { type?: unknown; logicalType?: unknown };
  if (attrs.logicalType === 'timestamp-millis') return 'instant';
  if (attrs.logicalType === 'date') return 'date';
  if (attrs.type === 'map') return 'map';
  return 'plain';
}

// Read off the schemas once, so the rendering follows the .avsc files rather than a field list.
const RENDERINGS = new Map<EventType, FieldRendering[]>();

function renderingsOf(type: EventType): FieldRendering[] {
  let renderings = RENDERINGS.get(type);
  if (renderings === undefined) {
    const fields: readonly { name: string; type: unknown }[] = AVRO_SCHEMAS[type].fields;
    renderings = fields.map((field) => ({ name: field.name, kind: kindOf(field.type) }));
    RENDERINGS.set(type, renderings);
  }
  return renderings;
}

/**
 * The canonical JSON of an Avro record (CONTRACT §1): instants as ISO-8601 UTC, dates as
 * `YYYY-MM-DD`, amounts as exact decimal strings, null fields left out. Validating the result
 * gives back the same record, which the tests check for every type.
 */
export function toCanonicalJson<T extends EventType>(
  type: T,
  record: RecordBySchemaName[T],
): CanonicalEventByType[T] {
  const values = record as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { type };
  for (const { name, kind } of renderingsOf(type)) {
    const value = values[name];
    if (value === null || value === undefined) continue;
    if (kind === 'instant' && typeof value === 'number') out[name] = formatInstant(value);
    else if (kind === 'date' && typeof value === 'number') out[name] = formatDate(value);
    else if (kind === 'map' && typeof value === 'object') out[name] = { ...value };
    else out[name] = value;
  }
  return out as unknown as CanonicalEventByType[T];
}
