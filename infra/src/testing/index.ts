import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** Where the real services of this test run live (see global-setup.ts for how they are found). */
export interface TestServices {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  clickhouseUrl: string;
  /** How they were obtained: `env`, `testcontainers` or `local` (provisioned by infra/). */
  source: ServiceSource;
}

export type ServiceSource = 'env' | 'testcontainers' | 'local';

declare module 'vitest' {
  export interface ProvidedContext {
    csServices: TestServices;
  }
}

/** The services the integration global setup provided to this test run. */
export function testServices(): TestServices {
  return inject('csServices');
}

/**
 * A name no other test (or earlier run) uses: tests isolate by name (topic, group, database),
 * never by order. Lower-case letters, digits and `_`, so it is valid as a Kafka topic, a consumer
 * group, a ClickHouse database and a registry subject.
 */
export function uniqueName(prefix: string): string {
  const safe = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${safe}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/**
 * A small seeded PRNG (mulberry32), uniform in [0, 1): the same seed gives the same sequence, so a
 * failing test, a workload or a chaos schedule can be repeated. (`cs generate` has its own, as a
 * class with helpers: its output must never change with this one.)
 */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export { processCpuSeconds, processMemory } from './process-stats.js';
