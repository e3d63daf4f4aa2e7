import { describe, expect, it } from 'vitest';
import {
  countDataLines,
  formatClause,
  parseQueryRequest,
  type QueryRequest,
} from './query-request.js';

function parse(search: string, body = ''): QueryRequest {
  const result = parseQueryRequest(new URLSearchParams(search), Buffer.from(body));
  if (!result.ok) throw new Error(`unexpected error ${result.error.name}`);
  return result.request;
}

describe('parseQueryRequest', () => {
  it('takes a body-only POST as the whole query', () => {
    expect(parse('', 'SELECT 1').sql).toBe('SELECT 1');
  });

  it('takes the URL query when there is no body', () => {
    expect(parse('query=SELECT+2').sql).toBe('SELECT 2');
  });

  it('joins the URL query and the body with a newline (INSERT data)', () => {
    const request = parse('query=INSERT+INTO+t+FORMAT+JSONEachRow', '{"a":1}\n{"a":2}\n\n');
    expect(request.sql).toBe('INSERT INTO t FORMAT JSONEachRow\n{"a":1}\n{"a":2}\n\n');
    expect(request.insertedLines).toBe(2);
    expect(request.emptyInsert).toBe(false);
  });

  it('marks an INSERT with an empty data part as nothing to run', () => {
    expect(parse('query=INSERT+INTO+t+FORMAT+JSONEachRow', '  \n').emptyInsert).toBe(true);
    expect(parse('query=INSERT+INTO+t+FORMAT+JSONEachRow').emptyInsert).toBe(true);
    expect(parse('', 'INSERT INTO t VALUES (1)').emptyInsert).toBe(false);
  });

  it('splits param_*, settings and the handler parameters', () => {
    const request = parse(
      'query_id=q1&database=db1&default_format=JSON&param_x=1&param_name=a%5Ctb&max_result_rows=5' +
        '&insert_deduplication_token=t1&user=u&password=p&session_id=s&session_timeout=60' +
        '&enable_http_compression=1&wait_end_of_query=1&send_progress_in_http_headers=1&readonly=1',
      'SELECT {x:UInt8}',
    );
    expect(request.params).toEqual({ x: '1', name: 'a\\tb' });
    expect(request.settings).toEqual({ max_result_rows: '5', insert_deduplication_token: 't1' });
    expect(request.database).toBe('db1');
    expect(request.queryId).toBe('q1');
    expect(request.defaultFormat).toBe('JSON');
    expect(request.format).toBe('JSON');
  });

  it('lets the FORMAT clause win over default_format', () => {
    const request = parse('default_format=JSON', 'SELECT 1 FORMAT JSONEachRow');
    expect(request.format).toBe('JSONEachRow');
    expect(request.defaultFormat).toBe('JSON');
    expect(parse('', 'SELECT 1').format).toBe('TabSeparated');
  });

  it('refuses an empty query, a malformed setting name and native compression', () => {
    const errors = ['', 'bad-name=1&query=SELECT+1', 'compress=1&query=SELECT+1'].map((search) => {
      const result = parseQueryRequest(new URLSearchParams(search), Buffer.alloc(0));
      return result.ok ? undefined : result.error.name;
    });
    expect(errors).toEqual(['SYNTAX_ERROR', 'UNKNOWN_SETTING', 'NOT_IMPLEMENTED']);
  });
});

describe('formatClause', () => {
  it('finds a trailing FORMAT, also before SETTINGS or a semicolon', () => {
    expect(formatClause('SELECT 1 FORMAT JSONCompact')).toBe('JSONCompact');
    expect(formatClause('SELECT 1 format csv;')).toBe('csv');
    expect(formatClause('SELECT 1 FORMAT JSON SETTINGS max_threads = 1')).toBe('JSON');
  });

  it('ignores FORMAT inside literals and an INSERT input format', () => {
    expect(formatClause("SELECT 'FORMAT JSON'")).toBeUndefined();
    expect(formatClause('INSERT INTO t FORMAT JSONEachRow')).toBeUndefined();
  });
});

describe('countDataLines', () => {
  it('counts non-blank lines with or without a final newline', () => {
    expect(countDataLines(Buffer.from('a\n\n b\r\nc'))).toBe(3);
    expect(countDataLines(Buffer.from(' \n\t\n'))).toBe(0);
  });
});
