import { errorMessage } from '@cs/runtime';
import type { ValidEvent } from '@cs/schemas';
import { SdkError } from './errors.js';
import type { Transport } from './transport.js';

export interface GatewayTransportOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** A tenant's ingestion key: the gateway takes the tenant from it. */
  writeKey: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

const MAX_ERROR_BODY = 2_000;

function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * POSTs a batch as NDJSON to `/v1/events` with `Authorization: Bearer <writeKey>`. 2xx is
 * delivered; 5xx, 429 and 408 are retriable (Retry-After honoured); other 4xx are refusals,
 * which retrying cannot fix. `sendTenant`: false when the write key decides the tenant.
 */
export function gatewayTransport(options: GatewayTransportOptions, sendTenant: boolean): Transport {
  const endpoint = new URL(
    'v1/events',
    options.url.endsWith('/') ? options.url : `${options.url}/`,
  );
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async send(events: readonly ValidEvent[]) {
      const lines = events.map((valid) => {
        if (sendTenant) return JSON.stringify(valid.event);
        const { tenant: _tenant, ...rest } = valid.event;
        return JSON.stringify(rest);
      });
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
      if (response.ok) return;
      const status = response.status;
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
    },
    close: () => Promise.resolve(),
  };
}
