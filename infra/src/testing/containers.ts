import type { StartedTestContainer, StartedNetwork } from 'testcontainers';
import type { TestServices } from './index.js';

// Pinned images, the same as docker-compose.yml's: Kafka 3.9 (Confluent Platform 7.9), the
// Confluent schema registry, and a ClickHouse server.
export const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.9.2';
export const REGISTRY_IMAGE = 'confluentinc/cp-schema-registry:7.9.2';
export const CLICKHOUSE_IMAGE = 'clickhouse/clickhouse-server:25.8';

/** Whether a Docker (or compatible) engine answers; testcontainers then provides the services. */
export async function dockerEngineAnswers(): Promise<boolean> {
  if (process.env.CS_TEST_NO_CONTAINERS === '1') return false;
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    const client = await getContainerRuntimeClient();
    return client.info.containerRuntime.host !== '';
  } catch {
    return false;
  }
}

export interface StartedContainers {
  services: Omit<TestServices, 'source'>;
  stop(): Promise<void>;
}

/** Kafka (KRaft), a schema registry on the same network, and ClickHouse, in containers. */
export async function startContainers(): Promise<StartedContainers> {
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { ClickHouseContainer } = await import('@testcontainers/clickhouse');

  const network: StartedNetwork = await new Network().start();
  const started: StartedTestContainer[] = [];
  try {
    const kafka = await new KafkaContainer(KAFKA_IMAGE)
      .withKraft()
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .start();
    started.push(kafka);
    const [registry, clickhouse] = await Promise.all([
      new GenericContainer(REGISTRY_IMAGE)
        .withNetwork(network)
        .withEnvironment({
          SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
          SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
          SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'PLAINTEXT://kafka:9092',
          SCHEMA_REGISTRY_SCHEMA_COMPATIBILITY_LEVEL: 'backward',
        })
        .withExposedPorts(8081)
        .withWaitStrategy(Wait.forHttp('/subjects', 8081).forStatusCode(200))
        .start(),
      new ClickHouseContainer(CLICKHOUSE_IMAGE).start(),
    ]);
    started.push(registry, clickhouse);
    const clickhouseUrl = new URL(clickhouse.getHttpUrl());
    clickhouseUrl.username = clickhouse.getUsername();
    clickhouseUrl.password = clickhouse.getPassword();
    return {
      services: {
        kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
        schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
        clickhouseUrl: clickhouseUrl.toString().replace(/\/$/, ''),
      },
      stop: async () => {
        await Promise.all(started.map((container) => container.stop()));
        await network.stop();
      },
    };
  } catch (error: unknown) {
    await Promise.allSettled(started.map((container) => container.stop()));
    await network.stop();
    throw error;
  }
}
