import { describe, expect, it } from 'vitest';
import { multipartBoundary, parseMultipartForm } from './multipart-form.js';

describe('multipart form', () => {
  it('reads the fields @clickhouse/client sends for large parameters', () => {
    const boundary = '----clickhouse-js-1234';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="query"\r\n\r\nSELECT {x:String}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="param_x"\r\n\r\nline1\r\nline2\r\n` +
      `--${boundary}--\r\n`;
    expect(multipartBoundary(`multipart/form-data; boundary=${boundary}`)).toBe(boundary);
    expect(parseMultipartForm(Buffer.from(body), boundary)).toEqual([
      ['query', 'SELECT {x:String}'],
      ['param_x', 'line1\r\nline2'],
    ]);
  });

  it('rejects a truncated body and ignores other content types', () => {
    expect(() => parseMultipartForm(Buffer.from('--b\r\nx'), 'b')).toThrow(/closing boundary/);
    expect(multipartBoundary('text/plain')).toBeUndefined();
  });
});
