import type { ClickHouseErrorReply } from './clickhouse-errors.js';

/**
 * One HTTP request turned into one query: the SQL (URL `query` and body combined the way ClickHouse
 * does), its parameters, its per-query settings, the default database and the output format.
 */

/** A parsed query request, ready for the executor. */
export interface QueryRequest {
  sql: string;
  /** Raw `param_<name>` values (ClickHouse escaped text), keyed by name. */
  params: Record<string, string>;
  /** Every URL parameter that is a ClickHouse setting for this query only. */
  settings: Record<string, string>;
  database: string | undefined;
  queryId: string | undefined;
  /** The output format: the query's own `FORMAT` clause, else `default_format`, else TSV. */
  format: string;
  /** Format chDB is asked for when the query has no FORMAT clause. */
  defaultFormat: string;
  /** True for `INSERT … FORMAT X` whose data part is empty: nothing to run. */
  emptyInsert: boolean;
  /** Data rows sent for a line-delimited INSERT (the summary's written_rows), when countable. */
  insertedLines: number | undefined;
}

export type QueryRequestResult =
  { ok: true; request: QueryRequest } | { ok: false; error: ClickHouseErrorReply };

/** URL parameters that steer the HTTP handler and are not ClickHouse settings. */
export const NON_SETTING_PARAMS: ReadonlySet<string> = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'quota_key',
  'role',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'stacktrace',
  'client_protocol_version',
]);

/**
 * Settings that only concern the HTTP layer of a ClickHouse server. chDB has no HTTP layer (and
 * rejects some of them as unknown), so they are dropped rather than SET. `readonly` is dropped too:
 * set on the shared chDB session it would also block the reset after the query.
 */
export const HTTP_ONLY_SETTINGS: ReadonlySet<string> = new Set([
  'enable_http_compression',
  'http_zlib_compression_level',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_response_buffer_size',
  'http_wait_end_of_query',
  'http_native_compression_disable_checksumming_on_decompress',
  'http_write_exception_in_output_format',
  'cancel_http_readonly_queries_on_client_close',
  'readonly',
]);

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORMAT_CLAUSE = /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*(?:SETTINGS\b[^;]*)?;?\s*$/i;
const INSERT_START = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*INSERT\b/i;
const INSERT_FORMAT = /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*$/i;
const LINE_DELIMITED_INPUT = new Set([
  'jsoneachrow',
  'jsonlines',
  'ndjson',
  'jsoncompacteachrow',
  'jsonstringseachrow',
  'jsoncompactstringseachrow',
  'tsv',
  'tabseparated',
  'tsvraw',
  'tabseparatedraw',
]);

/** The output format named by a trailing `FORMAT X` clause of a (non-INSERT) query. */
export function formatClause(sql: string): string | undefined {
  if (INSERT_START.test(sql)) return undefined;
  return FORMAT_CLAUSE.exec(sql)?.[1];
}

/** Non-empty lines of a body: how many rows a line-delimited format carries. */
export function countDataLines(body: Buffer): number {
  let lines = 0;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(0x0a, start);
    if (end === -1) end = body.length;
    if (body.subarray(start, end).some((byte) => byte !== 0x20 && byte !== 0x0d && byte !== 0x09)) {
      lines++;
    }
    start = end + 1;
  }
  return lines;
}

/**
 * Builds the query from the URL parameters and the (already decompressed) body.
 *
 * NOTE: like a ClickHouse server, a `query` URL parameter plus a body means "the query continues in
 * the body": the two are joined with a newline, which is how `INSERT … FORMAT X` gets its rows
 * (chDB parses inline data after the statement). A body alone is the whole query.
 */
export function parseQueryRequest(search: URLSearchParams, body: Buffer): QueryRequestResult {
  const params: Record<string, string> = {};
  const settings: Record<string, string> = {};
  for (const [key, value] of search) {
    if (key.startsWith('param_')) {
      params[key.slice('param_'.length)] = value;
    } else if (!NON_SETTING_PARAMS.has(key) && !HTTP_ONLY_SETTINGS.has(key)) {
      if (!SETTING_NAME.test(key)) {
        const message = `Unknown setting '${key}'`;
        return { ok: false, error: { code: 115, name: 'UNKNOWN_SETTING', message } };
      }
      settings[key] = value;
    }
  }
  for (const flag of ['compress', 'decompress'] as const) {
    if (search.get(flag) === '1') {
      const message = `${flag}=1 (ClickHouse native block compression) is not supported by the embedded warehouse; use HTTP gzip (Content-Encoding / enable_http_compression) instead`;
      return { ok: false, error: { code: 48, name: 'NOT_IMPLEMENTED', message } };
    }
  }

  const urlQuery = search.get('query') ?? '';
  let sql: string;
  let emptyInsert = false;
  let insertedLines: number | undefined;
  if (urlQuery === '') {
    sql = body.toString('utf8');
  } else if (body.length === 0) {
    sql = urlQuery;
  } else {
    const inputFormat = INSERT_START.test(urlQuery) ? INSERT_FORMAT.exec(urlQuery)?.[1] : undefined;
    if (inputFormat !== undefined) {
      const lines = countDataLines(body);
      emptyInsert = lines === 0;
      if (LINE_DELIMITED_INPUT.has(inputFormat.toLowerCase())) insertedLines = lines;
    }
    sql = `${urlQuery}\n${body.toString('utf8')}`;
  }
  if (sql.trim() === '') {
    return { ok: false, error: { code: 62, name: 'SYNTAX_ERROR', message: 'Empty query' } };
  }
  if (urlQuery !== '' && body.length === 0 && INSERT_START.test(urlQuery)) {
    emptyInsert = INSERT_FORMAT.test(urlQuery);
  }

  const defaultFormat = search.get('default_format') ?? 'TabSeparated';
  return {
    ok: true,
    request: {
      sql,
      params,
      settings,
      database: search.get('database') ?? undefined,
      queryId: search.get('query_id') ?? undefined,
      format: formatClause(sql) ?? defaultFormat,
      defaultFormat,
      emptyInsert,
      insertedLines,
    },
  };
}
