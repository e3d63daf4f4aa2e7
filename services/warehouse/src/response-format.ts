/** The Content-Type a ClickHouse server sends for each output format. */

const TSV_FAMILY = /^(?:tsv|tabseparated)/;
const CSV_WITH_HEADER = /^csvwithnames/;
const BINARY = new Set([
  'native',
  'rowbinary',
  'rowbinarywithnames',
  'rowbinarywithnamesandtypes',
  'rowbinarywithdefaults',
  'parquet',
  'arrow',
  'arrowstream',
  'orc',
  'avro',
  'msgpack',
  'protobuf',
  'protobufsingle',
  'capnproto',
  'npy',
  'bsoneachrow',
  'rawblob',
]);

// NOTE: JSONEachRow and friends are sent as `application/json` (ClickHouse's
// output_format_json_content_type_header default), not application/x-ndjson.
export function contentTypeFor(format: string): string {
  const name = format.toLowerCase();
  if (TSV_FAMILY.test(name)) return 'text/tab-separated-values; charset=UTF-8';
  if (name.startsWith('csv')) {
    return `text/csv; charset=UTF-8; header=${CSV_WITH_HEADER.test(name) ? 'present' : 'absent'}`;
  }
  if (name.startsWith('json') || name === 'ndjson' || name === 'prettyjsoneachrow') {
    return 'application/json; charset=UTF-8';
  }
  if (name === 'xml') return 'application/xml; charset=UTF-8';
  if (BINARY.has(name)) return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}
