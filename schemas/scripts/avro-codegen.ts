import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

/**
 * Turns schemas/avro/*.avsc (the source of truth) into schemas/src/generated/*.ts: each schema as
 * a const object (so runtime code needs no file access), its Avro record type (what avsc reads
 * and writes) and, for event types, its canonical JSON type. Only the Avro shapes our schemas use
 * are supported; anything else fails loudly rather than generating a wrong type.
 */

export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const AVRO_DIR = path.join(SCHEMAS_DIR, 'avro');
export const GENERATED_DIR = path.join(SCHEMAS_DIR, 'src', 'generated');

// The order of CONTRACT §1, which is also the order of EVENT_TYPES and of the topic catalog.
const EVENT_TYPE_ORDER = ['usage', 'account', 'user', 'subscription', 'invoice', 'ticket'];

interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
  default?: unknown;
}

interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: AvroField[];
  'cs.eventType'?: string;
}

interface LoadedSchema {
  /** The file's base name: `usage`, `dead-letter`. */
  name: string;
  schema: AvroRecordSchema;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecordSchema(file: string, value: unknown): AvroRecordSchema {
  if (!isObject(value) || value.type !== 'record' || typeof value.name !== 'string') {
    throw new Error(`${file}: the top level must be an Avro record with a name`);
  }
  if (!Array.isArray(value.fields)) throw new Error(`${file}: record without fields`);
  for (const field of value.fields) {
    if (!isObject(field) || typeof field.name !== 'string') {
      throw new Error(`${file}: every field needs a name`);
    }
  }
  return value as unknown as AvroRecordSchema;
}

export async function loadSchemas(dir: string = AVRO_DIR): Promise<LoadedSchema[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.avsc')).sort();
  const loaded: LoadedSchema[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    loaded.push({
      name: file.slice(0, -'.avsc'.length),
      schema: asRecordSchema(file, JSON.parse(text)),
    });
  }
  const rank = (item: LoadedSchema): number => {
    const index = EVENT_TYPE_ORDER.indexOf(item.name);
    return index === -1 ? EVENT_TYPE_ORDER.length : index;
  };
  return loaded.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function pascal(name: string): string {
  const value = camel(name);
  return value.charAt(0).toUpperCase() + value.slice(1);
}

type Rendering = 'record' | 'canonical';

function symbolsOf(type: unknown): string[] | undefined {
  if (!isObject(type)) return undefined;
  const symbols = type['cs.symbols'];
  return Array.isArray(symbols) && symbols.every((s) => typeof s === 'string')
    ? symbols
    : undefined;
}

/** The TypeScript type of an Avro type, as avsc represents it or as canonical JSON renders it. */
function tsType(type: unknown, rendering: Rendering, where: string): string {
  if (Array.isArray(type)) {
    const branches = type.filter((branch) => branch !== 'null');
    if (type.length !== 2 || branches.length !== 1) {
      throw new Error(`${where}: only ["null", T] unions are supported`);
    }
    const inner = tsType(branches[0], rendering, where);
    return rendering === 'record' ? `${inner} | null` : inner;
  }
  const primitive = typeof type === 'string' ? type : isObject(type) ? type.type : undefined;
  const logical = isObject(type) ? type.logicalType : undefined;
  const symbols = symbolsOf(type);
  if (symbols !== undefined) return symbols.map((symbol) => `'${symbol}'`).join(' | ');
  if (logical === 'decimal' && primitive === 'bytes') return 'string';
  if (logical === 'timestamp-millis' && primitive === 'long') {
    return rendering === 'record' ? 'number' : 'string';
  }
  if (logical === 'date' && primitive === 'int')
    return rendering === 'record' ? 'number' : 'string';
  switch (primitive) {
    case 'string':
      return 'string';
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'bytes':
      return 'Buffer';
    case 'array': {
      const items = isObject(type) ? type.items : undefined;
      return `Array<${tsType(items, rendering, where)}>`;
    }
    case 'map': {
      const values = isObject(type) ? type.values : undefined;
      return `Record<string, ${tsType(values, rendering, where)}>`;
    }
    default:
      throw new Error(`${where}: unsupported Avro type ${JSON.stringify(type)}`);
  }
}

function isNullable(type: unknown): boolean {
  return Array.isArray(type) && type.includes('null');
}

function renderingNote(type: unknown, rendering: Rendering): string | undefined {
  const inner: unknown = Array.isArray(type) ? type.find((branch) => branch !== 'null') : type;
  const logical = isObject(inner) ? inner.logicalType : undefined;
  if (logical === 'decimal') return 'Exact decimal string, e.g. "166.666667".';
  if (logical === 'timestamp-millis') {
    return rendering === 'record'
      ? 'Epoch milliseconds.'
      : 'ISO-8601 in UTC, e.g. "2026-03-01T10:00:00.000Z".';
  }
  if (logical === 'date') return rendering === 'record' ? 'Days since 1970-01-01.' : 'YYYY-MM-DD.';
  return undefined;
}

function docComment(...parts: (string | undefined)[]): string {
  const text = parts.filter((part): part is string => part !== undefined && part !== '').join(' ');
  return text === '' ? '' : `/** ${text.replace(/\*\//g, '*\\/')} */\n`;
}

function renderInterface(item: LoadedSchema, rendering: Rendering): string {
  const { schema } = item;
  const eventType = schema['cs.eventType'];
  const lines: string[] = [];
  if (rendering === 'canonical') lines.push(`type: '${eventType ?? item.name}';`);
  for (const field of schema.fields) {
    const where = `${item.name}.avsc ${field.name}`;
    const optional = rendering === 'canonical' && isNullable(field.type);
    const doc = docComment(field.doc, renderingNote(field.type, rendering));
    lines.push(
      `${doc}${field.name}${optional ? '?' : ''}: ${tsType(field.type, rendering, where)};`,
    );
  }
  const suffix = rendering === 'record' ? 'Record' : 'Event';
  const about =
    rendering === 'record'
      ? `The \`${schema.namespace ?? ''}.${schema.name}\` Avro record as avsc reads and writes it.`
      : `A \`${eventType ?? item.name}\` event in canonical JSON (CONTRACT §1), as validation returns it.`;
  return `${docComment(about, rendering === 'record' ? schema.doc : undefined)}export interface ${schema.name}${suffix} {\n${lines.join('\n')}\n}\n`;
}

function renderSymbols(item: LoadedSchema): string {
  const out: string[] = [];
  for (const field of item.schema.fields) {
    const symbols = symbolsOf(field.type);
    if (symbols === undefined) continue;
    const constName = `${camel(item.name)}${pascal(field.name)}Values`;
    out.push(
      `/** The closed set of \`${item.name}.${field.name}\` (an Avro string; enforced by validation). */\n` +
        `export const ${constName} = ${JSON.stringify(symbols)} as const;\n` +
        `export type ${pascal(item.name)}${pascal(field.name)} = (typeof ${constName})[number];\n`,
    );
  }
  return out.join('\n');
}

function header(source: string): string {
  return `// Generated by schemas/scripts/generate-types.ts from ${source}: do not edit, run \`npm run generate -w @cs/schemas\`.\n\n`;
}

function renderSchemaFile(item: LoadedSchema): string {
  const constName = `${camel(item.name)}AvroSchema`;
  const parts = [
    header(`schemas/avro/${item.name}.avsc`),
    `/** The schema of schemas/avro/${item.name}.avsc, verbatim. */\n`,
    `export const ${constName} = ${JSON.stringify(item.schema)} as const;\n\n`,
    renderSymbols(item),
    '\n',
    renderInterface(item, 'record'),
  ];
  if (item.schema['cs.eventType'] !== undefined)
    parts.push('\n', renderInterface(item, 'canonical'));
  return parts.join('');
}

function renderIndex(items: LoadedSchema[]): string {
  const events = items.filter((item) => item.schema['cs.eventType'] !== undefined);
  const imports = items.map((item) => {
    const names = [`${camel(item.name)}AvroSchema`, `${item.schema.name}Record`];
    if (item.schema['cs.eventType'] !== undefined) names.push(`${item.schema.name}Event`);
    return `import { ${names.map((n) => (n.endsWith('AvroSchema') ? n : `type ${n}`)).join(', ')} } from './${item.name}.js';`;
  });
  const quote = (name: string): string => (/^[a-z]+$/.test(name) ? name : `'${name}'`);
  return [
    header('schemas/avro/*.avsc'),
    ...items.map((item) => `export * from './${item.name}.js';`),
    ...imports,
    '',
    '/** Every schema, by the base name of its .avsc file. */',
    `export const SCHEMA_NAMES = ${JSON.stringify(items.map((item) => item.name))} as const;`,
    'export type SchemaName = (typeof SCHEMA_NAMES)[number];',
    '',
    '/** The canonical event types (CONTRACT §1), in its order. */',
    `export const EVENT_TYPES = ${JSON.stringify(events.map((item) => item.schema['cs.eventType']))} as const;`,
    'export type EventType = (typeof EVENT_TYPES)[number];',
    '',
    'export const AVRO_SCHEMAS = {',
    ...items.map((item) => `${quote(item.name)}: ${camel(item.name)}AvroSchema,`),
    '} as const;',
    '',
    'export interface RecordBySchemaName {',
    ...items.map((item) => `${quote(item.name)}: ${item.schema.name}Record;`),
    '}',
    '',
    'export interface CanonicalEventByType {',
    ...events.map((item) => `${quote(item.name)}: ${item.schema.name}Event;`),
    '}',
    '',
    'export type EventRecord = RecordBySchemaName[EventType];',
    'export type CanonicalEvent = CanonicalEventByType[EventType];',
    '',
  ].join('\n');
}

/** Every generated file (path relative to src/generated → prettier-formatted content). */
export async function generateTypes(dir: string = AVRO_DIR): Promise<Map<string, string>> {
  const items = await loadSchemas(dir);
  for (const item of items) {
    const eventType = item.schema['cs.eventType'];
    if (eventType !== undefined && eventType !== item.name) {
      throw new Error(`${item.name}.avsc: cs.eventType must equal the file name`);
    }
  }
  const config = (await prettier.resolveConfig(path.join(GENERATED_DIR, 'index.ts'))) ?? {};
  const files = new Map<string, string>();
  const raw: [string, string][] = [
    ...items.map((item): [string, string] => [`${item.name}.ts`, renderSchemaFile(item)]),
    ['index.ts', renderIndex(items)],
  ];
  for (const [file, text] of raw) {
    files.set(file, await prettier.format(text, { ...config, parser: 'typescript' }));
  }
  return files;
}
