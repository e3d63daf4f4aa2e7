import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './paths.js';
import { CLICKHOUSE_IMAGE, KAFKA_IMAGE, REGISTRY_IMAGE } from './testing/containers.js';

// No Docker engine runs on the project's machines, so docker-compose.yml cannot be run here; this
// guards what can be checked without one: pinned images and a health check on every service.
interface ComposeService {
  image?: string;
  healthcheck?: { test?: unknown; interval?: string; retries?: number };
  depends_on?: Record<string, { condition?: string }>;
}

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
  services?: Record<string, ComposeService>;
};
const services = Object.entries(compose.services ?? {});

describe('docker-compose.yml', () => {
  it('has Kafka, a schema registry and ClickHouse', () => {
    const images = services.map(([, service]) => service.image ?? '');
    expect(images.some((image) => image.startsWith('apache/kafka:3.9.'))).toBe(true);
    expect(images.some((image) => image.startsWith('confluentinc/cp-schema-registry:'))).toBe(true);
    expect(
      images.some((image) => /^clickhouse\/clickhouse-server:(2[5-9]|[3-9]\d)\./.test(image)),
    ).toBe(true);
  });

  it.each(services)('%s pins its image to a version', (_name, service) => {
    expect(service.image).toBeDefined();
    const tag = (service.image ?? '').split(':')[1] ?? '';
    expect(tag).toMatch(/^\d+(\.\d+)+/);
  });

  it.each(services)('%s has a health check', (_name, service) => {
    expect(service.healthcheck?.test).toBeDefined();
    expect(service.healthcheck?.retries ?? 0).toBeGreaterThan(0);
  });

  it('waits for healthy dependencies', () => {
    for (const [, service] of services) {
      for (const dependency of Object.values(service.depends_on ?? {})) {
        expect(dependency.condition).toBe('service_healthy');
      }
    }
  });

  it('uses the same registry and ClickHouse images as the testcontainers harness', () => {
    const images = services.map(([, service]) => service.image);
    expect(images).toContain(REGISTRY_IMAGE);
    expect(images).toContain(CLICKHOUSE_IMAGE);
    expect(KAFKA_IMAGE.split(':')[1]).toMatch(/^7\.9\./); // Confluent 7.9 = Apache Kafka 3.9
  });
});
