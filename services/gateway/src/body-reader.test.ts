import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBody } from './body-reader.js';

/** A request stream with headers; chunks are written after the reader starts. */
function request(chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  const stream = new PassThrough();
  Object.assign(stream, { headers });
  setImmediate(() => {
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
  });
  return stream as unknown as IncomingMessage;
}

describe('readBody', () => {
  it('reads a body within the limit', async () => {
    const result = await readBody(request([Buffer.from('abc'), Buffer.from('def')]), 6);
    expect(result).toEqual({ ok: true, body: Buffer.from('abcdef') });
  });

  it('refuses a declared Content-Length over the limit without reading', async () => {
    const req = request([], { 'content-length': '7' });
    expect(await readBody(req, 6)).toMatchObject({ ok: false, kind: 'too-large' });
  });

  it('answers as soon as a streamed body passes the limit, without waiting for the end', async () => {
    const stream = new PassThrough();
    Object.assign(stream, { headers: {} });
    const req = stream as unknown as IncomingMessage;
    const reading = readBody(req, 10);
    stream.write(Buffer.alloc(8));
    stream.write(Buffer.alloc(8));
    // The upload has not ended (and never will here): the reader must not wait for it.
    expect(await reading).toMatchObject({ ok: false, kind: 'too-large' });
    expect(req.destroyed).toBe(false);
    stream.destroy();
  });

  it('inflates gzip and applies the limit to the inflated bytes', async () => {
    const text = Buffer.from('x'.repeat(1000));
    const ok = await readBody(request([gzipSync(text)], { 'content-encoding': 'gzip' }), 1000);
    expect(ok).toEqual({ ok: true, body: text });
    const bomb = await readBody(request([gzipSync(text)], { 'content-encoding': 'gzip' }), 999);
    expect(bomb).toMatchObject({ ok: false, kind: 'too-large' });
  });

  it('refuses corrupt gzip and unknown encodings', async () => {
    const corrupt = await readBody(
      request([Buffer.from('not gzip')], { 'content-encoding': 'gzip' }),
      100,
    );
    expect(corrupt).toMatchObject({ ok: false, kind: 'bad-encoding' });
    const unknown = await readBody(
      request([Buffer.from('x')], { 'content-encoding': 'zstd' }),
      100,
    );
    expect(unknown).toMatchObject({ ok: false, kind: 'unsupported-encoding' });
  });
});
