import { createLogger, CsError, type Logger } from '@cs/runtime';
import type { CanonicalEvent, CanonicalEventByType, EventType, ValidEvent } from '@cs/schemas';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { buildEvent } from './build-event.js';
import { systemClock, type Clock } from './clock.js';
import { DeliveryQueue, type FlushResult } from './delivery-queue.js';
import { SdkError } from './errors.js';
import { gatewayTransport, type GatewayTransportOptions } from './gateway-transport.js';
import type { InputByType } from './inputs.js';
import { kafkaTransport, type KafkaTransportOptions } from './kafka-transport.js';
import { installShutdownHook } from './shutdown-hook.js';
import type { Transport } from './transport.js';

export type TransportOptions =
  ({ kind: 'kafka' } & KafkaTransportOptions) | ({ kind: 'gateway' } & GatewayTransportOptions);

export interface ClientOptions {
  transport: TransportOptions;
  /** Required for Kafka; for the gateway the write key decides it (if given, it must match). */
  tenant?: string;
  /** Events per batch; default 500. */
  batchSize?: number;
  /** The longest an event waits for its batch to fill; default 1,000 ms. */
  flushIntervalMs?: number;
  /** Retries of a retriable failure before the batch goes to onError; default 8. */
  maxRetries?: number;
  backoff?: BackoffOptions;
  /** Events waiting for delivery before calls throw QUEUE_FULL; default 100,000. */
  maxQueueSize?: number;
  /** A batch that could not be delivered; by default it is logged with its event ids. */
  onError?: (error: CsError, events: readonly CanonicalEvent[]) => void;
  /** Flush and close on SIGTERM, SIGINT and beforeExit. */
  installShutdownHook?: boolean;
  logger?: Logger;
  /** For tests: a fake clock and random source. */
  clock?: Clock;
  random?: () => number;
}

/** A call returns the canonical event as it will be sent (with its id and ts filled in). */
type Call<T extends EventType> = (input: InputByType[T]) => CanonicalEventByType[T];

export interface Client {
  track: Call<'usage'>;
  identify: Call<'user'>;
  group: Call<'account'>;
  subscription: Call<'subscription'>;
  invoice: Call<'invoice'>;
  ticket: Call<'ticket'>;
  /** Sends everything queued; resolves once it was delivered or handed to onError. */
  flush(): Promise<FlushResult>;
  /** Flushes, then releases the transport. Idempotent; calls afterwards throw CLIENT_CLOSED. */
  close(): Promise<FlushResult>;
}

function positive(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new SdkError('CONFIG_INVALID', `${name} must be an integer ≥ ${min}, got ${value}`);
  }
  return value;
}

export function createClient(options: ClientOptions): Client {
  const logger = options.logger ?? createLogger({ component: 'cs-sdk' });
  const clock = options.clock ?? systemClock;
  const { transport: transportOptions } = options;
  if (transportOptions.kind === 'kafka' && options.tenant === undefined) {
    throw new SdkError('CONFIG_INVALID', 'tenant is required with the kafka transport');
  }
  const transport: Transport =
    transportOptions.kind === 'kafka'
      ? kafkaTransport(transportOptions, logger)
      : gatewayTransport(transportOptions, options.tenant !== undefined);
  const onError =
    options.onError ??
    ((error: CsError, events: readonly CanonicalEvent[]) => {
      logger.error('events could not be delivered', {
        code: error.code,
        error: error.message,
        events: events.length,
        ids: events.slice(0, 20).map((event) => event.id),
      });
    });
  const queue = new DeliveryQueue({
    batchSize: positive('batchSize', options.batchSize ?? 500, 1),
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs ?? 1_000, 0),
    maxRetries: positive('maxRetries', options.maxRetries ?? 8, 0),
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    maxQueueSize: positive('maxQueueSize', options.maxQueueSize ?? 100_000, 1),
    clock,
    random: options.random ?? Math.random,
    send: (events) => transport.send(events),
    onError: (error, events: readonly ValidEvent[]) =>
      onError(
        error,
        events.map((valid) => valid.event),
      ),
  });

  let closing: Promise<FlushResult> | undefined;
  const call =
    <T extends EventType>(type: T): Call<T> =>
    (input) => {
      if (closing !== undefined) throw new SdkError('CLIENT_CLOSED', 'the client is closed');
      const valid = buildEvent(type, input, { tenant: options.tenant, now: () => clock.now() });
      queue.enqueue(valid);
      return valid.event as CanonicalEventByType[T];
    };

  const client: Client = {
    track: call('usage'),
    identify: call('user'),
    group: call('account'),
    subscription: call('subscription'),
    invoice: call('invoice'),
    ticket: call('ticket'),
    flush: () => queue.flush(),
    close() {
      closing ??= (async () => {
        queue.stopTimer();
        const result = await queue.flush();
        uninstall?.();
        await transport.close();
        return result;
      })();
      return closing;
    },
  };
  const uninstall =
    options.installShutdownHook === true ? installShutdownHook(client, logger) : undefined;
  return client;
}
