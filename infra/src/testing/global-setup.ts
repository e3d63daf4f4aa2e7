import type { TestProject } from 'vitest/node';
import type { TestServices } from './index.js';

// Placeholder until provisioning lands: services come from env vars only.
export default function setup(project: TestProject): void {
  const services: TestServices = {
    kafkaBrokers: (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean),
    schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL ?? '',
    clickhouseUrl: process.env.CLICKHOUSE_URL ?? '',
    source: 'env',
  };
  project.provide('csServices', services);
}
