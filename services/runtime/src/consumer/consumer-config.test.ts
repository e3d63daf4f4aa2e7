import { describe, expect, it } from 'vitest';
import { CsError } from '../errors.js';
import { consumerConfigFromEnv } from './consumer-config.js';

const env = {
  KAFKA_BROKERS: 'k1:9092, k2:9092',
  KAFKA_CLIENT_ID: 'sessionizer',
  CONSUMER_GROUP_ID: 'cs-sessionizer',
  CONSUMER_TOPICS: 'cs.usage,cs.entities',
  DLQ_TOPIC: 'cs.dead-letters',
};

function failure(overrides: Record<string, string | undefined>): string {
  try {
    consumerConfigFromEnv({ ...env, ...overrides });
  } catch (error) {
    expect(error).toBeInstanceOf(CsError);
    return (error as CsError).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('consumerConfigFromEnv', () => {
  it('parses lists and applies defaults', () => {
    const config = consumerConfigFromEnv(env);
    expect(config.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.topics).toEqual(['cs.usage', 'cs.entities']);
    expect(config.mode).toBe('at-least-once');
    expect(config.maxInFlight).toBe(1000);
    expect(config.retry).toEqual({
      maxAttempts: 5,
      initialDelayMs: 200,
      maxDelayMs: 10_000,
      multiplier: 2,
      onExhausted: 'dlq',
    });
    expect(config.metricsPort).toBe(9464);
  });

  it('reads the optional settings', () => {
    const config = consumerConfigFromEnv({
      ...env,
      DELIVERY_MODE: 'exactly-once',
      MAX_IN_FLIGHT: '50',
      RETRY_MAX_ATTEMPTS: '2',
      RETRY_EXHAUSTED: 'stop',
      METRICS_PORT: '0',
      TRANSACTIONAL_ID_PREFIX: 'sess',
    });
    expect(config).toMatchObject({
      mode: 'exactly-once',
      maxInFlight: 50,
      metricsPort: 0,
      transactionalIdPrefix: 'sess',
      retry: { maxAttempts: 2, onExhausted: 'stop' },
    });
  });

  it('names the key, the value and what is allowed', () => {
    expect(failure({ DELIVERY_MODE: 'twice' })).toMatch(
      /DELIVERY_MODE="twice": .*at-least-once.*exactly-once/,
    );
    expect(failure({ MAX_IN_FLIGHT: 'lots' })).toMatch(/MAX_IN_FLIGHT="lots"/);
    expect(failure({ METRICS_PORT: '70000' })).toMatch(/METRICS_PORT="70000"/);
    expect(failure({ KAFKA_BROKERS: 'no-port' })).toMatch(/KAFKA_BROKERS/);
    expect(failure({ DLQ_TOPIC: 'bad topic!' })).toMatch(
      /DLQ_TOPIC="bad topic!": a Kafka topic name/,
    );
  });

  it('names every missing key', () => {
    const message = failure({ CONSUMER_GROUP_ID: undefined, CONSUMER_TOPICS: undefined });
    expect(message).toMatch(/CONSUMER_GROUP_ID=\(unset\)/);
    expect(message).toMatch(/CONSUMER_TOPICS=\(unset\)/);
  });
});
