import { describe, expect, it } from 'vitest';
import { formatErrorBody, httpStatusForCode, toClickHouseError } from './clickhouse-errors.js';

describe('httpStatusForCode', () => {
  it('answers like a ClickHouse server', () => {
    expect(httpStatusForCode(62)).toBe(400); // SYNTAX_ERROR
    expect(httpStatusForCode(36)).toBe(400); // BAD_ARGUMENTS
    expect(httpStatusForCode(60)).toBe(404); // UNKNOWN_TABLE
    expect(httpStatusForCode(81)).toBe(404); // UNKNOWN_DATABASE
    expect(httpStatusForCode(115)).toBe(404); // UNKNOWN_SETTING
    expect(httpStatusForCode(229)).toBe(413); // QUERY_IS_TOO_LARGE
    expect(httpStatusForCode(194)).toBe(401); // REQUIRED_PASSWORD
    expect(httpStatusForCode(497)).toBe(403); // ACCESS_DENIED
    expect(httpStatusForCode(159)).toBe(408); // TIMEOUT_EXCEEDED
    expect(httpStatusForCode(396)).toBe(500); // TOO_MANY_ROWS_OR_BYTES
  });
});

describe('toClickHouseError', () => {
  it('reads code, name and message from a chDB error', () => {
    const error = Object.assign(
      new Error(
        "Code: 60. DB::Exception: Unknown table expression identifier 'nope'. (UNKNOWN_TABLE)",
      ),
      { clickhouseCode: 60 },
    );
    expect(toClickHouseError(error)).toEqual({
      code: 60,
      name: 'UNKNOWN_TABLE',
      message: "Unknown table expression identifier 'nope'.",
    });
  });

  it('unwraps an exception chDB nested in itself', () => {
    const nested = new Error(
      'Code: 73. DB::Exception: Code: 73. DB::Exception: Unknown format Foo. (UNKNOWN_FORMAT) (version 26.7.2.1). (UNKNOWN_FORMAT)',
    );
    expect(toClickHouseError(nested)).toEqual({
      code: 73,
      name: 'UNKNOWN_FORMAT',
      message: 'Unknown format Foo.',
    });
  });

  it('turns anything else into UNKNOWN_EXCEPTION', () => {
    expect(toClickHouseError(new Error('boom'))).toEqual({
      code: 1002,
      name: 'UNKNOWN_EXCEPTION',
      message: 'boom',
    });
  });
});

describe('formatErrorBody', () => {
  it('writes the body @clickhouse/client parses', () => {
    const body = formatErrorBody(
      { code: 62, name: 'SYNTAX_ERROR', message: 'Syntax error' },
      '26.7.2.1',
    );
    expect(body).toBe('Code: 62. DB::Exception: Syntax error. (SYNTAX_ERROR) (version 26.7.2.1)\n');
  });
});
