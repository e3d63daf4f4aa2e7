import { errorMessage } from '@cs/runtime';
import type { ValidEvent } from '@cs/schemas';
import { SdkError } from './errors.js';
import type { Transport, TransportRefusal } from './transport.js';

export interface GatewayTransportOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:18080. */
  url: string;
  /** A tenant's ingestion key: the gateway takes the tenant from it. */
  writeKey: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /**
   * Largest request body; a batch above it goes as several requests. Default 400 KiB, under the
   * gateway's default CS_GATEWAY_MAX_REQUEST_BYTES of 500 KiB.
   */
  maxRequestBytes?: number;
}

const MAX_ERROR_BODY = 2_000;

function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The gateway's per-record refusals (`{accepted, refused: [{index, errors}]}`), if the body has them. */
function refusalsOf(text: string): TransportRefusal[] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Not the gateway's JSON (a proxy's page, say): the caller reports the raw text instead.
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !('refused' in body)) return undefined;
  const { refused } = body;
  if (!Array.isArray(refused)) return undefined;
  return refused.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { index, errors } = item as { index?: unknown; errors?: unknown };
    if (typeof index !== 'number') return [];
    const messages = Array.isArray(errors) ? errors.map(String) : [];
    return [{ index, errors: messages }];
  });
}

/** Groups lines into request bodies of at most maxBytes (a single larger line goes alone). */
export function chunkLines(lines: readonly string[], maxBytes: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * POSTs a batch as NDJSON to `/v1/events` with `Authorization: Bearer <writeKey>` (the gateway's
 * contract: services/gateway). 200 is delivered, minus the records it lists as refused; 5xx, 429
 * and 408 are retriable (Retry-After honoured); 400/413 with per-record refusals means every
 * record was refused; other 4xx (401 bad key, malformed body) refuse the whole batch.
 * `sendTenant`: false when the write key decides the tenant.
 *
 * NOTE: a batch over maxRequestBytes goes as several requests; when a later one fails, the whole
 * batch is retried and the earlier requests' events arrive twice, with the same ids, which the
 * stream processors drop as duplicates.
 */
export function gatewayTransport(options: GatewayTransportOptions, sendTenant: boolean): Transport {
  const endpoint = new URL(
    'v1/events',
    options.url.endsWith('/') ? options.url : `${options.url}/`,
  );
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRequestBytes = options.maxRequestBytes ?? 400 * 1024;

  const post = async (lines: readonly string[]): Promise<TransportRefusal[]> => {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-ndjson',
          authorization: `Bearer ${options.writeKey}`,
        },
        body: `${lines.join('\n')}\n`,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error: unknown) {
      throw new SdkError(
        'GATEWAY_UNAVAILABLE',
        `the gateway at ${endpoint.origin} could not be reached: ${errorMessage(error)}`,
        { cause: error, retriable: true },
      );
    }
    const text = await response.text();
    const status = response.status;
    const refusals = refusalsOf(text);
    if (response.ok) return refusals ?? [];
    if ((status === 400 || status === 413) && refusals !== undefined && refusals.length > 0) {
      return refusals;
    }
    const retriable = status >= 500 || status === 429 || status === 408;
    throw new SdkError(
      retriable ? 'GATEWAY_UNAVAILABLE' : 'GATEWAY_REFUSED',
      `the gateway at ${endpoint.origin} answered ${status}: ${text.slice(0, MAX_ERROR_BODY)}`,
      {
        retriable,
        ...(retriable
          ? { retryAfterMs: retryAfterMs(response.headers.get('retry-after'), Date.now()) }
          : {}),
      },
    );
  };

  return {
    async send(events: readonly ValidEvent[]) {
      const lines = events.map((valid) => {
        if (sendTenant) return JSON.stringify(valid.event);
        const { tenant: _tenant, ...rest } = valid.event;
        return JSON.stringify(rest);
      });
      const refusals: TransportRefusal[] = [];
      let offset = 0;
      for (const chunk of chunkLines(lines, maxRequestBytes)) {
        for (const refusal of await post(chunk)) {
          refusals.push({ index: offset + refusal.index, errors: refusal.errors });
        }
        offset += chunk.length;
      }
      return refusals;
    },
    close: () => Promise.resolve(),
  };
}
