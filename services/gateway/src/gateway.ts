/**
 * The HTTP gateway: authenticates each request by its API key, reads the body within the limits,
 * ingests it (see ingest.ts) and answers only once Kafka acknowledged what it reports accepted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CsError, createLogger, errorMessage, type Logger } from '@cs/runtime';
import { createPublisher, type Publisher } from '@cs/publisher';
import type { TopicCatalog } from '@cs/schemas';
import type { TenantDirectory } from '@cs/tenants';
import { apiKeyOf } from './auth.js';
import { discardRest, readBody } from './body-reader.js';
import { DEFAULT_MAX_EVENT_BYTES, DEFAULT_MAX_REQUEST_BYTES } from './config.js';
import { ingest, type IngestKind, type IngestOutcome } from './ingest.js';
import { route } from './routes.js';

export interface GatewayOptions {
  host?: string;
  /** 0: any free port (tests). */
  port?: number;
  brokers: string[];
  registryUrl: string;
  tenants: TenantDirectory;
  /** The topics events go to; by default the catalog of CS_TOPIC_PREFIX, … */
  topics?: TopicCatalog;
  maxEventBytes?: number;
  maxRequestBytes?: number;
  /** Sent as Retry-After with a 503 during a Kafka outage. */
  retryAfterSeconds?: number;
  /** How long stop() waits for in-flight requests before closing their connections. */
  drainTimeoutMs?: number;
  logger?: Logger;
}

export interface Gateway {
  url: string;
  port: number;
  publisher: Publisher;
  /** Stops accepting, finishes in-flight requests, then stops the publisher. Idempotent. */
  stop(): Promise<void>;
}

type Json = Record<string, unknown>;

function send(
  res: ServerResponse,
  status: number,
  body: Json,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function errorBody(code: string, message: string): Json {
  return { accepted: 0, error: { code, message } };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.logger ?? createLogger({ component: 'gateway' });
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  const publisher = createPublisher({
    brokers: options.brokers,
    registryUrl: options.registryUrl,
    ...(options.topics === undefined ? {} : { topics: options.topics }),
    logger: log,
    clientId: 'cs-gateway',
  });
  try {
    await publisher.start();
  } catch (error: unknown) {
    // Kafka or the registry down at start-up: serve anyway (503s, /readyz false) and connect on
    // the next request; a refused schema is a deploy error and stops the start.
    if (!(error instanceof CsError) || !error.retriable) throw error;
    log.warn('starting without Kafka or the registry; will retry on demand', {
      code: error.code,
      error: errorMessage(error),
    });
  }

  let stopping = false;

  const handleIngest = async (
    req: IncomingMessage,
    res: ServerResponse,
    kind: IngestKind,
  ): Promise<{ status: number; tenant?: string; accepted?: number; refused?: number }> => {
    const auth = apiKeyOf(req.headers.authorization);
    const tenant = auth.ok ? options.tenants.byApiKey(auth.apiKey) : undefined;
    if (tenant === undefined) {
      discardRest(req, maxRequestBytes);
      const reason = auth.ok ? 'unknown API key' : auth.reason;
      send(res, 401, errorBody('UNAUTHORIZED', reason), {
        'www-authenticate': 'Basic realm="cs-gateway"',
      });
      return { status: 401 };
    }
    const read = await readBody(req, maxRequestBytes);
    if (!read.ok) {
      discardRest(req, maxRequestBytes);
      const [status, code] =
        read.kind === 'too-large'
          ? [413, 'REQUEST_TOO_LARGE']
          : read.kind === 'unsupported-encoding'
            ? [415, 'UNSUPPORTED_ENCODING']
            : [400, 'BAD_ENCODING'];
      send(res, status, errorBody(code, read.message), { connection: 'close' });
      return { status, tenant: tenant.id };
    }
    const outcome: IngestOutcome = await ingest(kind, read.body, req.headers['content-type'], {
      tenant: tenant.id,
      publisher,
      maxEventBytes,
      receivedAt: Date.now(),
      retryAfterSeconds,
    });
    const headers: Record<string, string> = {};
    if (outcome.retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(outcome.retryAfterSeconds);
    }
    if (stopping) headers.connection = 'close';
    send(res, outcome.status, outcome.body, headers);
    const accepted = outcome.body.accepted;
    const refused = 'refused' in outcome.body ? outcome.body.refused.length : undefined;
    return {
      status: outcome.status,
      tenant: tenant.id,
      accepted,
      ...(refused === undefined ? {} : { refused }),
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const target = route(req.method, req.url);
    let summary: { status: number; tenant?: string; accepted?: number; refused?: number };
    if (target.kind === 'healthz') {
      send(res, 200, { status: 'ok' });
      summary = { status: 200 };
    } else if (target.kind === 'readyz') {
      const health = stopping ? { kafka: false, registry: false } : await publisher.health();
      const ready = health.kafka && health.registry && !stopping;
      send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...health, stopping });
      summary = { status: ready ? 200 : 503 };
    } else if (target.kind === 'not-found') {
      discardRest(req, maxRequestBytes);
      send(
        res,
        404,
        errorBody(
          'NOT_FOUND',
          'no such endpoint: POST /v1/events, /v1/track, /v1/identify, /v1/group, /v1/page, /v1/screen, /v1/batch',
        ),
      );
      summary = { status: 404 };
    } else if (target.kind === 'method-not-allowed') {
      discardRest(req, maxRequestBytes);
      send(res, 405, errorBody('METHOD_NOT_ALLOWED', `use ${target.allow}`), {
        allow: target.allow,
      });
      summary = { status: 405 };
    } else if (stopping) {
      discardRest(req, maxRequestBytes);
      send(res, 503, errorBody('SHUTTING_DOWN', 'the gateway is stopping; retry'), {
        'retry-after': String(retryAfterSeconds),
        connection: 'close',
      });
      summary = { status: 503 };
    } else {
      summary = await handleIngest(req, res, target.ingest);
    }
    // Never the key, never the body: the method, path, outcome and counts only.
    const fields = {
      method: req.method,
      path: req.url?.split('?')[0],
      ...summary,
      ms: Math.round(performance.now() - started),
    };
    if (summary.status >= 500) log.warn('request', fields);
    else if (summary.status >= 400) log.info('request', fields);
    else log.debug('request', fields);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error('request failed', {
        method: req.method,
        path: req.url?.split('?')[0],
        code: error instanceof CsError ? error.code : undefined,
        error: errorMessage(error),
      });
      if (res.headersSent) res.destroy();
      else if (req.destroyed) res.destroy();
      else
        send(res, 500, errorBody('INTERNAL', 'the gateway failed on this request'), {
          connection: 'close',
        });
    });
  });
  // A slow-loris client must not hold a connection forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  log.info('listening', {
    url,
    maxEventBytes,
    maxRequestBytes,
    topicPrefix: publisher.topics.raw.usage.name,
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(
        () => server.closeAllConnections(),
        options.drainTimeoutMs ?? 10_000,
      );
      await closed;
      clearTimeout(timer);
      await publisher.stop();
      log.info('stopped');
    })();
    return stopped;
  };

  return { url, port, publisher, stop };
}
