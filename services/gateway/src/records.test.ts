import { describe, expect, it } from 'vitest';
import { parseRecords } from './records.js';

const LIMIT = 100;
const body = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('parseRecords', () => {
  it('reads one event', () => {
    expect(parseRecords(body(' {"a":1} '), 'application/json', LIMIT)).toEqual({
      ok: true,
      form: 'single',
      records: [{ index: 0, ok: true, value: { a: 1 } }],
    });
  });

  it('reads a JSON array, one record per element', () => {
    expect(parseRecords(body('[{"a":1},{"b":2},3]'), undefined, LIMIT)).toEqual({
      ok: true,
      form: 'array',
      records: [
        { index: 0, ok: true, value: { a: 1 } },
        { index: 1, ok: true, value: { b: 2 } },
        { index: 2, ok: true, value: 3 },
      ],
    });
  });

  it('reads NDJSON by Content-Type, skipping blank lines, accepting CRLF, refusing bad lines', () => {
    const parsed = parseRecords(
      body('{"a":1}\r\n\n{oops\n{"b":2}\n'),
      'application/x-ndjson; charset=utf-8',
      LIMIT,
    );
    expect(parsed).toEqual({
      ok: true,
      form: 'ndjson',
      records: [
        { index: 0, line: 1, ok: true, value: { a: 1 } },
        expect.objectContaining({ index: 1, line: 3, ok: false, tooLarge: false }),
        { index: 2, line: 4, ok: true, value: { b: 2 } },
      ],
    });
    const bad = parsed.ok ? parsed.records[1] : undefined;
    expect(bad?.ok === false && bad.errors[0]).toMatch(/^line 3: not valid JSON: /);
  });

  it('sniffs NDJSON sent as JSON', () => {
    const parsed = parseRecords(body('{"a":1}\n{"b":2}'), 'application/json', LIMIT);
    expect(parsed.ok && parsed.form).toBe('ndjson');
    expect(parsed.ok && parsed.records.length).toBe(2);
  });

  it('refuses an event over the limit on its own, in every form', () => {
    const big = `{"x":"${'a'.repeat(LIMIT)}"}`;
    const single = parseRecords(body(big), undefined, LIMIT);
    expect(single).toEqual({
      ok: true,
      form: 'single',
      records: [
        {
          index: 0,
          ok: false,
          tooLarge: true,
          errors: [`event: larger than the limit of ${LIMIT} bytes`],
        },
      ],
    });
    const array = parseRecords(body(`[{"a":1},${big}]`), undefined, LIMIT);
    expect(array.ok && array.records.map((record) => record.ok)).toEqual([true, false]);
    const ndjson = parseRecords(body(`{"a":1}\n${big}\n{"b":2}`), 'application/x-ndjson', LIMIT);
    expect(ndjson.ok && ndjson.records.map((record) => [record.line, record.ok])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
  });

  it('measures an NDJSON line in bytes, not characters', () => {
    const line = `{"x":"${'é'.repeat(48)}"}`; // 56 characters, 104 bytes
    const parsed = parseRecords(body(line), 'application/x-ndjson', LIMIT);
    expect(parsed.ok && parsed.records[0]?.ok).toBe(false);
  });

  it.each([
    ['', 'empty body'],
    ['   \n ', 'empty body'],
    ['{"a":', 'body is not valid JSON'],
    ['[1,2', 'body is not valid JSON'],
  ])('refuses the whole body %j', (text, message) => {
    const parsed = parseRecords(body(text), undefined, LIMIT);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });

  it('passes a non-object single value on, for validation to refuse', () => {
    expect(parseRecords(body('42'), undefined, LIMIT)).toEqual({
      ok: true,
      form: 'single',
      records: [{ index: 0, ok: true, value: 42 }],
    });
  });

  it('ignores a byte-order mark', () => {
    expect(parseRecords(body('\uFEFF{"a":1}'), undefined, LIMIT).ok).toBe(true);
    const ndjson = parseRecords(body('\uFEFF{"a":1}\n{"b":1}'), 'application/x-ndjson', LIMIT);
    expect(ndjson.ok && ndjson.records.every((record) => record.ok)).toBe(true);
  });
});
