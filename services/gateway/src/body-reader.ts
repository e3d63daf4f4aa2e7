/**
 * Reads a request body up to a byte limit, stopping as soon as the limit is passed: the rest is
 * never buffered. `Content-Encoding: gzip` bodies are inflated as they arrive and the limit
 * applies to the inflated bytes, so a small compressed bomb cannot get past it.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { errorMessage } from '@cs/runtime';

export type BodyRead =
  | { ok: true; body: Buffer }
  | { ok: false; kind: 'too-large' | 'bad-encoding' | 'unsupported-encoding'; message: string };

/** How much of a refused upload is read and thrown away (so the client sees the answer). */
const DISCARD_FACTOR = 8;

function tooLarge(limit: number): BodyRead {
  return { ok: false, kind: 'too-large', message: `request body exceeds ${limit} bytes` };
}

/**
 * NOTE: plain listeners rather than `for await`: leaving an async iterator early destroys the
 * stream, and with it the socket the 413 answer has to go out on.
 */
function collect(stream: Readable, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(
        chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size),
      );
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('the client closed the connection before the body ended'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/**
 * Throws away the rest of an upload we will not read, up to a bound, so the client finishes
 * sending and reads our answer; a client that keeps sending past the bound is cut off.
 */
export function discardRest(req: IncomingMessage, limit: number): void {
  if (req.readableEnded) return;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit * DISCARD_FACTOR) req.destroy();
  });
  req.on('error', () => req.destroy());
  req.resume();
}

export async function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) return tooLarge(limit);
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') {
    const body = await collect(req, limit);
    return body === undefined ? tooLarge(limit) : { ok: true, body };
  }
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    return {
      ok: false,
      kind: 'unsupported-encoding',
      message: `unsupported Content-Encoding "${encoding.slice(0, 32)}" (supported: gzip)`,
    };
  }
  const gunzip = createGunzip();
  req.pipe(gunzip);
  try {
    const body = await collect(gunzip, limit);
    if (body === undefined) return tooLarge(limit);
    return { ok: true, body };
  } catch (error: unknown) {
    return {
      ok: false,
      kind: 'bad-encoding',
      message: `cannot gunzip the body: ${errorMessage(error)}`,
    };
  } finally {
    req.unpipe(gunzip);
    gunzip.destroy();
  }
}
