import { describe, expect, it } from 'vitest';
import {
  bindParams,
  isStringLikeType,
  placeholderTypes,
  preEscapeForChdb,
  unescapeEscapedString,
} from './query-params.js';

// chDB's binder escapes a JS string this way before the engine reads it (dist/serialize.js).
function chdbEscape(value: string): string {
  const table: Record<string, string> = {
    '\\': '\\\\',
    '\0': '\\0',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
  };
  return value.replace(/[\\\0\b\f\n\r\t]/g, (char) => table[char] ?? char);
}

describe('placeholderTypes', () => {
  it('reads {name:Type} placeholders, nested types included', () => {
    const types = placeholderTypes(
      'SELECT {a:Array(String)}, { d : Date }, {m:Map(String, UInt8)} WHERE x = {a:Array(String)}',
    );
    expect([...types]).toEqual([
      ['a', 'Array(String)'],
      ['d', 'Date'],
      ['m', 'Map(String, UInt8)'],
    ]);
  });

  it('knows which types read a plain string', () => {
    expect(isStringLikeType('String')).toBe(true);
    expect(isStringLikeType('Nullable(LowCardinality(String))')).toBe(true);
    expect(isStringLikeType('FixedString(3)')).toBe(true);
    expect(isStringLikeType('Identifier')).toBe(true);
    expect(isStringLikeType('Array(String)')).toBe(false);
    expect(isStringLikeType('DateTime64(3)')).toBe(false);
  });
});

describe('bindParams', () => {
  it('fully unescapes String values', () => {
    expect(unescapeEscapedString("it\\'s a\\tb\\nc \\\\ \\x41")).toBe("it's a\tb\nc \\ A");
    expect(bindParams('SELECT {s:String}', { s: 'a\\tb' })).toEqual({ s: 'a\tb' });
  });

  it('binds \\N as NULL', () => {
    expect(bindParams('SELECT {s:Nullable(String)}', { s: '\\N' })).toEqual({ s: null });
  });

  it('leaves numbers and dates untouched', () => {
    const sql = 'SELECT {n:UInt64}, {d:Date}, {t:DateTime}';
    expect(
      bindParams(sql, { n: '18446744073709551615', d: '2026-07-01', t: '2026-07-01 10:00:00' }),
    ).toEqual({ n: '18446744073709551615', d: '2026-07-01', t: '2026-07-01 10:00:00' });
  });

  it('gives composite values the text whose chDB escaping reads like the original', () => {
    const original = "['a\\\\b','tab\\there','it\\'s']";
    const bound = preEscapeForChdb(original);
    expect(bound).toBe("['a\\b','tab\there','it''s']");
    // The quote comes back SQL-style (''), every backslash escape exactly as sent.
    expect(chdbEscape(bound)).toBe("['a\\\\b','tab\\there','it''s']");
  });
});
