/**
 * Reads a request body with a size limit, undoes HTTP compression (Content-Encoding) and unpacks
 * multipart/form-data (the form @clickhouse/client uses for large query parameters).
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { multipartBoundary, parseMultipartForm } from './multipart-form.js';

export type BodyResult =
  | { ok: true; body: Buffer; form: [string, string][] }
  | { ok: false; kind: 'too-large' | 'bad-encoding' | 'unsupported-encoding'; message: string };

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

function tooLarge(size: string, limit: number): BodyResult {
  return {
    ok: false,
    kind: 'too-large',
    message: `Request body of ${size} bytes exceeds the limit of ${limit} bytes (CS_WAREHOUSE_MAX_BODY_BYTES)`,
  };
}

async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // Stop buffering; the rest of the upload is discarded as it arrives.
      req.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size);
}

async function decode(encoding: string, raw: Buffer, limit: number): Promise<Buffer> {
  // maxOutputLength bounds a decompression bomb by the same limit as a plain body.
  const options = { maxOutputLength: limit };
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzip(raw, options);
  if (encoding === 'deflate') return inflate(raw, options);
  return brotli(raw, options);
}

export async function readRequestBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return tooLarge(String(declared), limit);
  const raw = await readRaw(req, limit);
  if (raw === undefined) return tooLarge(`more than ${limit}`, limit);

  let body = raw;
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    if (!['gzip', 'x-gzip', 'deflate', 'br'].includes(encoding)) {
      return {
        ok: false,
        kind: 'unsupported-encoding',
        message: `Unsupported Content-Encoding '${encoding}' (supported: gzip, deflate, br)`,
      };
    }
    try {
      body = await decode(encoding, raw, limit);
    } catch (error) {
      if (error instanceof RangeError) return tooLarge(`more than ${limit} (decompressed)`, limit);
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, kind: 'bad-encoding', message: `Cannot decompress the body: ${reason}` };
    }
  }

  const boundary = multipartBoundary(req.headers['content-type'] ?? '');
  if (boundary === undefined) return { ok: true, body, form: [] };
  try {
    return { ok: true, body: Buffer.alloc(0), form: parseMultipartForm(body, boundary) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      kind: 'bad-encoding',
      message: `Cannot parse the multipart body: ${reason}`,
    };
  }
}
