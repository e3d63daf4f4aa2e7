import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, type SplitLine } from './line-splitter.js';

function split(chunks: readonly (string | Buffer)[], max = 1_000): SplitLine[] {
  const splitter = new LineSplitter(max);
  const out: SplitLine[] = [];
  for (const chunk of chunks) out.push(...splitter.push(Buffer.from(chunk)));
  out.push(...splitter.end());
  return out;
}

const texts = (lines: SplitLine[]): [number, string][] =>
  lines.flatMap((line) =>
    line.kind === 'line' ? [[line.line, line.text] as [number, string]] : [],
  );

describe('LineSplitter', () => {
  it('numbers lines from 1 and strips CRLF', () => {
    expect(texts(split(['{"a":1}\r\n{"b":2}\r\n']))).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
    ]);
  });

  it('returns a last line without a newline', () => {
    expect(texts(split(['{"a":1}\n{"b":2}']))).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
    ]);
  });

  it('skips blank and whitespace-only lines but keeps counting them', () => {
    const lines = split(['\n{"a":1}\n\n  \r\n\t\n{"b":2}\n\n']);
    expect(texts(lines)).toEqual([
      [2, '{"a":1}'],
      [6, '{"b":2}'],
    ]);
  });

  it('joins a line split across chunks, also inside a multi-byte character', () => {
    const bytes = Buffer.from('{"name":"Zoë ☃"}\n{"x":1}\n');
    const cut = bytes.indexOf(0x98); // inside the snowman's three bytes
    expect(texts(split([bytes.subarray(0, cut), bytes.subarray(cut)]))).toEqual([
      [1, '{"name":"Zoë ☃"}'],
      [2, '{"x":1}'],
    ]);
  });

  it('joins a CR and its LF arriving in different chunks', () => {
    expect(texts(split(['{"a":1}\r', '\n{"b":2}']))).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
    ]);
  });

  it('strips a UTF-8 byte order mark, even one split across chunks', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(
      texts(
        split([bom.subarray(0, 2), Buffer.concat([bom.subarray(2), Buffer.from('{"a":1}\n')])]),
      ),
    ).toEqual([[1, '{"a":1}']]);
  });

  it('refuses a line over the limit by number and keeps going, in bounded memory', () => {
    const long = 'x'.repeat(50);
    const lines = split(['{"a":1}\n', long.slice(0, 20), long.slice(20), '\n{"b":2}\n', long], 10);
    expect(lines).toEqual([
      { kind: 'line', line: 1, text: '{"a":1}', bytes: 7 },
      { kind: 'too-long', line: 2, bytes: 50 },
      { kind: 'line', line: 3, text: '{"b":2}', bytes: 7 },
      { kind: 'too-long', line: 4, bytes: 50 },
    ]);
  });

  it('accepts a line of exactly the limit, CRLF included', () => {
    expect(split(['0123456789\r\n'], 10)).toEqual([
      { kind: 'line', line: 1, text: '0123456789', bytes: 10 },
    ]);
  });

  it('gives the same lines however the input is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 20 })), {
          maxLength: 20,
        }),
        fc.array(fc.nat(200), { maxLength: 10 }),
        fc.boolean(),
        (lines, cuts, crlf) => {
          const clean = lines.map((line) => line.replace(/[\r\n]/g, ''));
          const bytes = Buffer.from(clean.join(crlf ? '\r\n' : '\n'));
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks: Buffer[] = [];
          let from = 0;
          for (const point of [...points, bytes.length]) {
            chunks.push(bytes.subarray(from, point));
            from = point;
          }
          const expected = clean.flatMap((text, index) =>
            text.trim() === '' ? [] : [[index + 1, text] as [number, string]],
          );
          expect(texts(split(chunks, 10_000))).toEqual(expected);
        },
      ),
    );
  });
});
