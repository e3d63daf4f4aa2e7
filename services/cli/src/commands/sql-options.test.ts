import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { warehouseEnvSchema } from '../config.js';
import { defaultFormat, parseSqlArgs, statementWithFormat } from './sql-options.js';

describe('cs sql arguments', () => {
  it('defaults to PrettyCompact on a terminal and TSV otherwise', () => {
    expect(defaultFormat(true)).toBe('PrettyCompact');
    expect(defaultFormat(false)).toBe('TSV');
    expect(parseSqlArgs(['SELECT 1'], true).format).toBe('PrettyCompact');
    expect(parseSqlArgs(['SELECT 1'], false).format).toBe('TSV');
  });

  it('takes --format / -f in any position', () => {
    expect(parseSqlArgs(['--format', 'JSONEachRow', 'SELECT 1'], true)).toEqual({
      query: { from: 'argument', text: 'SELECT 1' },
      format: 'JSONEachRow',
    });
    expect(parseSqlArgs(['SELECT 1', '-f', 'CSV'], true).format).toBe('CSV');
  });

  it('reads the query from stdin for -', () => {
    expect(parseSqlArgs(['-'], false).query).toEqual({ from: 'stdin' });
  });

  it('refuses a missing, empty or split query, unknown flags and non-identifier formats', () => {
    expect(() => parseSqlArgs([], false)).toThrow(UsageError);
    expect(() => parseSqlArgs(['  '], false)).toThrow(/empty/);
    expect(() => parseSqlArgs(['SELECT', '1'], false)).toThrow(/one QUERY/);
    expect(() => parseSqlArgs(['--limit', '3', 'SELECT 1'], false)).toThrow(/--limit/);
    expect(() => parseSqlArgs(['--format', 'TSV; DROP TABLE x', 'SELECT 1'], false)).toThrow(
      /--format/,
    );
  });
});

describe('statementWithFormat', () => {
  it('appends the format to result-producing statements on its own line', () => {
    expect(statementWithFormat('SELECT 1;', 'CSV')).toBe('SELECT 1\nFORMAT CSV');
    expect(statementWithFormat('  with x AS (SELECT 1) SELECT * FROM x -- note', 'TSV')).toBe(
      'with x AS (SELECT 1) SELECT * FROM x -- note\nFORMAT TSV',
    );
    expect(statementWithFormat('SHOW TABLES FROM cs', 'JSONEachRow')).toBe(
      'SHOW TABLES FROM cs\nFORMAT JSONEachRow',
    );
  });

  it('leaves statements with their own FORMAT, and statements without results, as written', () => {
    expect(statementWithFormat('SELECT 1 FORMAT JSON', 'CSV')).toBe('SELECT 1 FORMAT JSON');
    expect(statementWithFormat('CREATE TABLE t (x UInt8) ENGINE = Memory', 'CSV')).toBe(
      'CREATE TABLE t (x UInt8) ENGINE = Memory',
    );
    expect(statementWithFormat('INSERT INTO t VALUES (1)', 'CSV')).toBe('INSERT INTO t VALUES (1)');
  });
});

describe('warehouse config', () => {
  it('defaults to the embedded warehouse and refuses a URL that is not http(s)', () => {
    expect(warehouseEnvSchema.parse({}).CLICKHOUSE_URL).toBe('http://127.0.0.1:18123');
    expect(warehouseEnvSchema.safeParse({ CLICKHOUSE_URL: 'ftp://x' }).success).toBe(false);
  });
});
