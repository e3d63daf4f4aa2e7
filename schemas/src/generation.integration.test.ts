import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import {
  controlTopicName,
  readGeneration,
  refuseStaleGeneration,
  writeGeneration,
} from './generation.js';

// The control topic on the real broker: what cs rebuild records, what every service checks at start.
const services = testServices();
const kafka = new Kafka({
  clientId: 'generation-integration',
  brokers: services.kafkaBrokers,
  logLevel: logLevel.NOTHING,
});
const prefixes: string[] = [];
const newPrefix = (): string => {
  const prefix = `${uniqueName('generation')}.`;
  prefixes.push(prefix);
  return prefix;
};

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = prefixes.map(controlTopicName).filter((topic) => existing.has(topic));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
});

describe('pipeline generations on the control topic', () => {
  it('is 0 for a prefix never rebuilt, and every generation may run there', async () => {
    const prefix = newPrefix();
    expect(await readGeneration(kafka, prefix)).toBe(0);
    await expect(refuseStaleGeneration(kafka, prefix, 0)).resolves.toBeUndefined();
  });

  it('reads the last recorded generation and refuses a service on an older one', async () => {
    const prefix = newPrefix();
    await writeGeneration(kafka, prefix, 1);
    await writeGeneration(kafka, prefix, 2);
    expect(await readGeneration(kafka, prefix)).toBe(2);

    const stale = refuseStaleGeneration(kafka, prefix, 1);
    await expect(stale).rejects.toMatchObject({ code: 'GENERATION_STALE' });
    await expect(stale).rejects.toThrow(
      /CS_PIPELINE_GENERATION is 1 but .*cs\.control records generation 2 .*CS_PIPELINE_GENERATION=2/,
    );
    await expect(refuseStaleGeneration(kafka, prefix, 0)).rejects.toMatchObject({
      code: 'GENERATION_STALE',
    });
    // The current one runs, and so does the next (what cs rebuild replays before recording it).
    await expect(refuseStaleGeneration(kafka, prefix, 2)).resolves.toBeUndefined();
    await expect(refuseStaleGeneration(kafka, prefix, 3)).resolves.toBeUndefined();
  });
});
