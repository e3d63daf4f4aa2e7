import {
  Kafka,
  Partitioners,
  type Admin,
  type Message,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { CsError, errorMessage, type Logger } from '@cs/runtime';
import {
  createCodec,
  createSchemaRegistry,
  ensureTopics,
  eventKey,
  registerSchemas,
  topicCatalogFromEnv,
  topicFor,
  type Codec,
  type TopicCatalog,
  type ValidEvent,
} from '@cs/schemas';
import { kafkaLogCreator } from './kafka-log.js';

/**
 * The one path every producer (gateway, file loader, SDK in Kafka mode) uses to put canonical
 * events into Kafka: Avro in the Confluent wire format, keyed by eventKey, on the catalog's raw
 * topics, acknowledged by all in-sync replicas before publish() resolves.
 */

export type PublisherErrorCode = 'KAFKA_UNAVAILABLE' | 'REGISTRY_UNAVAILABLE' | 'PUBLISHER_STOPPED';

export interface PublisherOptions {
  brokers: string[];
  /** Confluent-API registry base URL, e.g. http://127.0.0.1:18081/apis/ccompat/v7. */
  registryUrl: string;
  /** Where events go; by default the catalog of CS_TOPIC_PREFIX, CS_TOPIC_PARTITIONS, … */
  topics?: TopicCatalog;
  logger: Logger;
  clientId?: string;
  /**
   * How hard one publish() tries before it gives up with KAFKA_UNAVAILABLE. Small by default so
   * a caller (an HTTP client behind the gateway) hears about an outage in seconds and retries.
   */
  retry?: RetryOptions;
}

export interface PublishResult {
  /** Records Kafka acknowledged (acks=all): every event given. */
  published: number;
  byTopic: Record<string, number>;
}

export interface PublisherHealth {
  kafka: boolean;
  registry: boolean;
}

export interface Publisher {
  readonly topics: TopicCatalog;
  /** Registers the schemas (BACKWARD), creates missing topics, connects the producer. */
  start(): Promise<void>;
  /**
   * Resolves when Kafka acknowledged every event; rejects otherwise (a retriable CsError
   * KAFKA_UNAVAILABLE when the brokers cannot be reached), in which case none of the events may
   * be reported as published. Some may still have been written: a retry is at-least-once, and the
   * stream processors drop duplicates by tenant + id.
   */
  publish(events: readonly ValidEvent[]): Promise<PublishResult>;
  /** Kafka reachable (producer connected, cluster answering) and the registry answering. */
  health(): Promise<PublisherHealth>;
  /** Waits for in-flight publishes, then disconnects. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_RETRY: RetryOptions = { retries: 4, initialRetryTime: 250, maxRetryTime: 2_000 };
const HEALTH_TIMEOUT_MS = 3_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function unavailable(
  code: PublisherErrorCode,
  message: string,
  cause: unknown,
): CsError<PublisherErrorCode> {
  return new CsError<PublisherErrorCode>(code, `${message}: ${errorMessage(cause)}`, {
    cause,
    retriable: true,
  });
}

export function createPublisher(options: PublisherOptions): Publisher {
  const catalog = options.topics ?? topicCatalogFromEnv();
  const log = options.logger.child({ component: 'publisher' });
  const retry = options.retry ?? DEFAULT_RETRY;
  const kafka = new Kafka({
    clientId: options.clientId ?? 'cs-publisher',
    brokers: options.brokers,
    // Connecting is retried by publish() callers, not here: fail fast while a broker is down.
    connectionTimeout: 1_000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
    logCreator: kafkaLogCreator(log),
  });
  const registry: SchemaRegistry = createSchemaRegistry({
    host: options.registryUrl,
    clientId: options.clientId ?? 'cs-publisher',
  });

  let codec: Codec | undefined;
  let codecPending: Promise<Codec> | undefined;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let producerPending: Promise<Producer> | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();

  const ensureCodec = (): Promise<Codec> => {
    if (codec !== undefined) return Promise.resolve(codec);
    codecPending ??= registerSchemas(registry, catalog)
      .then((ids) => {
        codec = createCodec(registry, ids);
        return codec;
      })
      .catch((error: unknown) => {
        // An incompatible schema is a deploy error: let its own code through.
        if (error instanceof CsError && !error.retriable) throw error;
        throw unavailable('REGISTRY_UNAVAILABLE', 'could not register schemas', error);
      })
      .finally(() => (codecPending = undefined));
    return codecPending;
  };

  const connectProducer = async (): Promise<Producer> => {
    admin ??= kafka.admin();
    const candidate = kafka.producer({
      // NOTE: idempotent (acks=all, one in-flight request per broker, sequence numbers) keeps a
      // retried batch from being written twice within one producer session.
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry,
    });
    try {
      await admin.connect();
      await ensureTopics(admin, catalog);
      await candidate.connect();
    } catch (error: unknown) {
      await candidate.disconnect().catch((inner: unknown) => {
        log.debug('discarding an unconnected producer failed', { error: errorMessage(inner) });
      });
      throw unavailable('KAFKA_UNAVAILABLE', 'Kafka is unavailable', error);
    }
    return candidate;
  };

  const ensureProducer = (): Promise<Producer> => {
    if (producer !== undefined) return Promise.resolve(producer);
    producerPending ??= connectProducer()
      .then((connected) => {
        producer = connected;
        log.info('producer connected', { brokers: options.brokers });
        return connected;
      })
      .finally(() => (producerPending = undefined));
    return producerPending;
  };

  /**
   * NOTE: after a failed send the broker may hold some of the batch while the producer rolled its
   * sequence numbers back; sending new records with those numbers could make the broker take them
   * for duplicates and drop them. So a failed producer is never reused: the next publish gets a
   * new producer id, and what the failed one wrote is at worst a duplicate (dropped downstream).
   */
  const discardProducer = (failed: Producer): void => {
    if (producer === failed) producer = undefined;
    failed.disconnect().catch((error: unknown) => {
      log.debug('disconnecting a failed producer failed', { error: errorMessage(error) });
    });
  };

  const send = async (events: readonly ValidEvent[]): Promise<PublishResult> => {
    const encoder = await ensureCodec();
    const byTopic = new Map<string, Message[]>();
    for (const valid of events) {
      // The record was checked by validateEvent; encoding only throws if the schemas drifted.
      const value = encoder.encode(valid.type, valid.record);
      const topic = topicFor(valid.event, catalog);
      let messages = byTopic.get(topic);
      if (messages === undefined) byTopic.set(topic, (messages = []));
      messages.push({ key: eventKey(valid.event), value });
    }
    const active = await ensureProducer();
    try {
      await active.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error: unknown) {
      discardProducer(active);
      throw unavailable('KAFKA_UNAVAILABLE', `could not publish ${events.length} events`, error);
    }
    return {
      published: events.length,
      byTopic: Object.fromEntries(
        [...byTopic].map(([topic, messages]) => [topic, messages.length]),
      ),
    };
  };

  const registryAnswers = async (): Promise<boolean> => {
    try {
      const response = await fetch(`${options.registryUrl}/config`, {
        signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.ok;
    } catch (error: unknown) {
      log.debug('registry health check failed', { error: errorMessage(error) });
      return false;
    }
  };

  const kafkaAnswers = async (): Promise<boolean> => {
    try {
      await withTimeout(
        (async () => {
          await ensureProducer();
          await admin?.describeCluster();
        })(),
        HEALTH_TIMEOUT_MS,
        'Kafka health check',
      );
      return true;
    } catch (error: unknown) {
      log.debug('Kafka health check failed', { error: errorMessage(error) });
      return false;
    }
  };

  return {
    topics: catalog,

    async start() {
      await ensureCodec();
      await ensureProducer();
    },

    async publish(events) {
      if (stopped) {
        throw new CsError<PublisherErrorCode>('PUBLISHER_STOPPED', 'the publisher is stopped', {
          retriable: true,
        });
      }
      if (events.length === 0) return { published: 0, byTopic: {} };
      const pending = send(events);
      inFlight.add(pending);
      try {
        return await pending;
      } finally {
        inFlight.delete(pending);
      }
    },

    async health() {
      if (stopped) return { kafka: false, registry: false };
      const [kafkaOk, registryOk] = await Promise.all([kafkaAnswers(), registryAnswers()]);
      return { kafka: kafkaOk, registry: registryOk };
    },

    stop() {
      stopped = true;
      stopping ??= (async () => {
        await Promise.allSettled([...inFlight]);
        await producerPending?.catch(() => undefined);
        const closing = [producer, admin].flatMap((client) =>
          client === undefined ? [] : [client.disconnect()],
        );
        producer = undefined;
        admin = undefined;
        for (const result of await Promise.allSettled(closing)) {
          if (result.status === 'rejected') {
            log.warn('disconnect failed', { error: errorMessage(result.reason) });
          }
        }
      })();
      return stopping;
    },
  };
}
