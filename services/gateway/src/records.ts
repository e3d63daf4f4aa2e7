/**
 * Splits a request body into records: one canonical event (a JSON object), a JSON array of them,
 * or NDJSON (by Content-Type `application/x-ndjson`, or sniffed: a body that is not one JSON value
 * but has lines). Each record keeps its position so a refusal can name it; a record over the
 * per-event limit is refused on its own and never parsed.
 */

export type RecordSlot =
  | { index: number; line?: number; ok: true; value: unknown }
  | { index: number; line?: number; ok: false; tooLarge: boolean; errors: string[] };

export type BodyForm = 'single' | 'array' | 'ndjson';

export type ParsedBody =
  { ok: true; form: BodyForm; records: RecordSlot[] } | { ok: false; message: string };

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
]);

export function isNdjsonContentType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return NDJSON_TYPES.has(mediaType);
}

function tooLargeRecord(index: number, limit: number, line?: number): RecordSlot {
  return {
    index,
    ...(line === undefined ? {} : { line }),
    ok: false,
    tooLarge: true,
    errors: [`event: larger than the limit of ${limit} bytes`],
  };
}

function parseError(error: unknown): string {
  return error instanceof SyntaxError ? error.message : String(error);
}

/** NDJSON: one JSON value per line; blank lines are skipped and `\r\n` is accepted. */
export function parseNdjson(body: Buffer, maxEventBytes: number): RecordSlot[] {
  const records: RecordSlot[] = [];
  let start = 0;
  let line = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end === -1) end = body.length;
    line += 1;
    let stop = end;
    if (stop > start && body[stop - 1] === 0x0d) stop -= 1;
    const bytes = stop - start;
    const index = records.length;
    if (bytes > maxEventBytes) records.push(tooLargeRecord(index, maxEventBytes, line));
    else {
      const text = body.toString('utf8', start, stop).replace(/^\uFEFF/, '');
      if (text.trim() !== '') {
        try {
          records.push({ index, line, ok: true, value: JSON.parse(text) as unknown });
        } catch (error: unknown) {
          records.push({
            index,
            line,
            ok: false,
            tooLarge: false,
            errors: [`line ${line}: not valid JSON: ${parseError(error)}`],
          });
        }
      }
    }
    start = end + 1;
  }
  return records;
}

function arrayRecords(values: unknown[], bodyBytes: number, maxEventBytes: number): RecordSlot[] {
  // A body within the per-event limit cannot hold an element beyond it: skip measuring.
  const measure = bodyBytes > maxEventBytes;
  return values.map((value, index) =>
    measure && Buffer.byteLength(JSON.stringify(value)) > maxEventBytes
      ? tooLargeRecord(index, maxEventBytes)
      : { index, ok: true, value },
  );
}

export function parseRecords(
  body: Buffer,
  contentType: string | undefined,
  maxEventBytes: number,
): ParsedBody {
  if (isNdjsonContentType(contentType)) {
    const records = parseNdjson(body, maxEventBytes);
    if (records.length === 0) return { ok: false, message: 'empty body: no NDJSON lines' };
    return { ok: true, form: 'ndjson', records };
  }
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  const trimmed = text.trim();
  if (trimmed === '') {
    return { ok: false, message: 'empty body: send one event, a JSON array of events or NDJSON' };
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error: unknown) {
    // Not one JSON value; with several lines it may be NDJSON sent without its Content-Type.
    if (trimmed.startsWith('{') && trimmed.includes('\n')) {
      return { ok: true, form: 'ndjson', records: parseNdjson(body, maxEventBytes) };
    }
    return { ok: false, message: `body is not valid JSON: ${parseError(error)}` };
  }
  if (Array.isArray(value)) {
    return { ok: true, form: 'array', records: arrayRecords(value, body.length, maxEventBytes) };
  }
  if (body.length > maxEventBytes) {
    return { ok: true, form: 'single', records: [tooLargeRecord(0, maxEventBytes)] };
  }
  return { ok: true, form: 'single', records: [{ index: 0, ok: true, value }] };
}
