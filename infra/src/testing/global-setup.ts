import type { TestProject } from 'vitest/node';
import { SERVICE_NAMES, stackDown, stackProfile, stackUp, type ServiceName } from '../index.js';
import { dockerEngineAnswers, startContainers } from './containers.js';
import type { TestServices } from './index.js';

/**
 * Finds the real services for the integration tests, in order:
 *  1. env vars — KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CLICKHOUSE_URL (each one that is set wins);
 *  2. testcontainers, when a Docker engine answers;
 *  3. the locally provisioned stack (profile `test`: Kafka from Maven Central, Apicurio, chDB),
 *     started once for the run and stopped after (unless it was already running, or
 *     CS_TEST_KEEP_STACK=1 keeps it up for the next run).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv: Partial<Omit<TestServices, 'source'>> = {};
  if (process.env.KAFKA_BROKERS) fromEnv.kafkaBrokers = process.env.KAFKA_BROKERS.split(',');
  if (process.env.SCHEMA_REGISTRY_URL) fromEnv.schemaRegistryUrl = process.env.SCHEMA_REGISTRY_URL;
  if (process.env.CLICKHOUSE_URL) fromEnv.clickhouseUrl = process.env.CLICKHOUSE_URL;
  const missing: ServiceName[] = SERVICE_NAMES.filter(
    (name) =>
      (name === 'kafka' && fromEnv.kafkaBrokers === undefined) ||
      (name === 'registry' && fromEnv.schemaRegistryUrl === undefined) ||
      (name === 'warehouse' && fromEnv.clickhouseUrl === undefined),
  );

  if (fromEnv.kafkaBrokers && fromEnv.schemaRegistryUrl && fromEnv.clickhouseUrl) {
    const { kafkaBrokers, schemaRegistryUrl, clickhouseUrl } = fromEnv;
    provide(project, { kafkaBrokers, schemaRegistryUrl, clickhouseUrl, source: 'env' });
    return () => Promise.resolve();
  }

  if (await dockerEngineAnswers()) {
    console.log(
      '[integration] Docker engine found: starting Kafka, a schema registry and ClickHouse with testcontainers',
    );
    const containers = await startContainers();
    provide(project, { ...containers.services, ...fromEnv, source: 'testcontainers' });
    return () => containers.stop();
  }

  const profile = stackProfile(process.env.CS_TEST_STACK ?? 'test');
  const started = Date.now();
  console.log(
    `[integration] provisioning the local stack '${profile.name}' (${missing.join(', ')}) ...`,
  );
  const result = await stackUp(profile, {
    services: missing,
    log: (line) => console.log(`[integration] ${line}`),
  });
  console.log(`[integration] stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  provide(project, { ...result.urls, ...fromEnv, source: 'local' });
  return async () => {
    if (process.env.CS_TEST_KEEP_STACK === '1' || result.started.length === 0) return;
    await stackDown(profile, {
      services: result.started,
      log: (line) => console.log(`[integration] ${line}`),
    });
  };
}

function provide(project: TestProject, services: TestServices): void {
  // Child processes a test spawns (services under test) find the same services through env.
  process.env.KAFKA_BROKERS = services.kafkaBrokers.join(',');
  process.env.SCHEMA_REGISTRY_URL = services.schemaRegistryUrl;
  process.env.CLICKHOUSE_URL = services.clickhouseUrl;
  project.provide('csServices', services);
}
