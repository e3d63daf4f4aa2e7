/**
 * The ClickHouse HTTP interface, the subset @clickhouse/client uses: `/ping`, queries in the URL
 * and/or the body, `param_*`, per-query settings, gzip both ways and ClickHouse-style errors.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { errorMessage, type Logger } from '@cs/runtime';
import type { ChdbExecutor, EngineInfo, QueryOutcome } from './chdb-executor.js';
import {
  ERROR_CODES,
  formatErrorBody,
  httpStatusForCode,
  toClickHouseError,
  type ClickHouseErrorReply,
} from './clickhouse-errors.js';
import { parseQueryRequest, type QueryRequest } from './query-request.js';
import { readRequestBody } from './request-body.js';
import { contentTypeFor } from './response-format.js';

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

export interface HttpServerOptions {
  executor: ChdbExecutor;
  engine: EngineInfo;
  maxBodyBytes: number;
  log: Logger;
}

/** The HTTP server and a count of the requests it is still answering. */
export interface WarehouseHttpServer {
  server: http.Server;
  inFlight: () => number;
}

const BODY_ERRORS = {
  'too-large': { code: ERROR_CODES.QUERY_IS_TOO_LARGE, name: 'QUERY_IS_TOO_LARGE' },
  'bad-encoding': { code: ERROR_CODES.CANNOT_DECOMPRESS, name: 'CANNOT_DECOMPRESS' },
  'unsupported-encoding': { code: ERROR_CODES.BAD_ARGUMENTS, name: 'BAD_ARGUMENTS' },
} as const;

function summaryHeader(request: QueryRequest, outcome: QueryOutcome, bodyBytes: number): string {
  const written = request.insertedLines ?? 0;
  // NOTE: chDB reports only the result's rows and bytes, not rows read from storage; those stand in
  // for read_rows/read_bytes. written_rows is the count of data lines of a line-delimited INSERT.
  return JSON.stringify({
    read_rows: String(outcome.resultRows),
    read_bytes: String(outcome.resultBytes),
    written_rows: String(written),
    written_bytes: String(written > 0 ? bodyBytes : 0),
    total_rows_to_read: '0',
    result_rows: String(outcome.resultRows),
    result_bytes: String(outcome.resultBytes),
    elapsed_ns: String(Math.max(0, Math.round(outcome.elapsedSeconds * 1e9))),
  });
}

async function compressFor(
  req: IncomingMessage,
  search: URLSearchParams,
  payload: Buffer,
): Promise<{ payload: Buffer; encoding?: string }> {
  if (search.get('enable_http_compression') !== '1' || payload.length === 0) return { payload };
  const accepted = (req.headers['accept-encoding'] ?? '').toLowerCase();
  if (/\bgzip\b/.test(accepted)) return { payload: await gzip(payload), encoding: 'gzip' };
  if (/\bdeflate\b/.test(accepted)) return { payload: await deflate(payload), encoding: 'deflate' };
  return { payload };
}

export function createHttpServer(options: HttpServerOptions): WarehouseHttpServer {
  const { executor, engine, maxBodyBytes, log } = options;
  let inFlight = 0;

  const baseHeaders = (queryId: string): Record<string, string> => ({
    'X-ClickHouse-Query-Id': queryId,
    'X-ClickHouse-Server-Display-Name': engine.displayName,
    'X-ClickHouse-Timezone': engine.timezone,
  });

  const sendError = (res: ServerResponse, queryId: string, reply: ClickHouseErrorReply): number => {
    const status = httpStatusForCode(reply.code);
    res.writeHead(status, {
      ...baseHeaders(queryId),
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Exception-Code': String(reply.code),
    });
    res.end(formatErrorBody(reply, engine.version));
    return status;
  };

  const answerQuery = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<{ status: number; queryId: string; error?: ClickHouseErrorReply }> => {
    const search = new URLSearchParams(url.searchParams);
    let queryId = search.get('query_id') ?? randomUUID();
    const body = await readRequestBody(req, maxBodyBytes);
    if (!body.ok) {
      const reply = { ...BODY_ERRORS[body.kind], message: body.message };
      return { status: sendError(res, queryId, reply), queryId, error: reply };
    }
    for (const [name, value] of body.form) search.set(name, value);
    queryId = search.get('query_id') ?? queryId;

    const parsed = parseQueryRequest(search, body.body);
    if (!parsed.ok) {
      return { status: sendError(res, queryId, parsed.error), queryId, error: parsed.error };
    }
    const request = parsed.request;

    let outcome: QueryOutcome;
    if (request.emptyInsert) {
      // A ClickHouse server inserts nothing for an empty data part; chDB would raise NO_DATA_TO_INSERT.
      outcome = { bytes: new Uint8Array(0), resultRows: 0, resultBytes: 0, elapsedSeconds: 0 };
    } else {
      try {
        outcome = await executor.execute(request);
      } catch (error) {
        const reply = toClickHouseError(error);
        return { status: sendError(res, queryId, reply), queryId, error: reply };
      }
    }

    const raw = Buffer.from(
      outcome.bytes.buffer,
      outcome.bytes.byteOffset,
      outcome.bytes.byteLength,
    );
    const { payload, encoding } = await compressFor(req, search, raw);
    res.writeHead(200, {
      ...baseHeaders(queryId),
      'Content-Type': contentTypeFor(request.format),
      'X-ClickHouse-Format': request.format,
      'X-ClickHouse-Summary': summaryHeader(request, outcome, body.body.length),
      ...(encoding === undefined ? {} : { 'Content-Encoding': encoding }),
      'Content-Length': String(payload.length),
    });
    res.end(payload);
    return { status: 200, queryId };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://warehouse');
    const isHealth =
      url.pathname === '/ping' ||
      (url.pathname === '/' && req.method !== 'POST' && !url.searchParams.has('query'));
    let status = 200;
    let queryId: string | undefined;
    let failure: ClickHouseErrorReply | undefined;
    if (isHealth) {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' });
      res.end('Ok.\n');
    } else if (url.pathname !== '/') {
      req.resume();
      status = 404;
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end(`There is no handle ${url.pathname}\n`);
    } else {
      const answered = await answerQuery(req, res, url);
      ({ status, queryId, error: failure } = answered);
    }
    const fields = {
      method: req.method,
      path: url.pathname,
      status,
      queryId,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
      // The URL query only (an INSERT's statement, never its rows), cut short.
      query: url.searchParams.get('query')?.slice(0, 200),
    };
    if (failure === undefined) log.debug('request', fields);
    else {
      log.warn('query failed', {
        ...fields,
        code: failure.code,
        error: failure.name,
        reason: failure.message,
      });
    }
  };

  const server = http.createServer((req, res) => {
    inFlight++;
    handle(req, res)
      .catch((error: unknown) => {
        log.error('request handler failed', { error: errorMessage(error) });
        if (!res.headersSent) {
          const reply = toClickHouseError(error);
          sendError(res, randomUUID(), reply);
        } else {
          res.destroy();
        }
      })
      .finally(() => {
        inFlight--;
      });
  });
  return { server, inFlight: () => inFlight };
}
