import { createPublisher, type Publisher } from '@cs/publisher';
import type { Logger } from '@cs/runtime';
import type { TopicCatalog } from '@cs/schemas';
import type { Transport } from './transport.js';

export interface KafkaTransportOptions {
  brokers: string[];
  /** Confluent-API registry base URL, e.g. http://127.0.0.1:18081/apis/ccompat/v7. */
  registryUrl: string;
  /** By default the catalog of CS_TOPIC_PREFIX, CS_TOPIC_PARTITIONS, … (as the publisher). */
  topics?: TopicCatalog;
}

/**
 * Straight into Kafka through @cs/publisher, the one path every producer shares: Avro on the
 * catalog's raw topics, keyed by eventKey, acknowledged by all in-sync replicas. The publisher
 * registers schemas and connects on first use; its errors are retriable CsErrors
 * (KAFKA_UNAVAILABLE, REGISTRY_UNAVAILABLE) or deploy errors (SCHEMA_INCOMPATIBLE).
 */
export function kafkaTransport(options: KafkaTransportOptions, logger: Logger): Transport {
  const publisher: Publisher = createPublisher({
    brokers: options.brokers,
    registryUrl: options.registryUrl,
    logger,
    clientId: 'cs-sdk',
    ...(options.topics === undefined ? {} : { topics: options.topics }),
  });
  return {
    async send(events) {
      await publisher.publish(events);
      return [];
    },
    close: () => publisher.stop(),
  };
}
