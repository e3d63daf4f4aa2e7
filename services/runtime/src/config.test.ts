import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kafkaServiceEnv, parseEnv } from './config.js';

const schema = z.object({ ...kafkaServiceEnv });

describe('kafkaServiceEnv', () => {
  it('defaults to the local stack of npm start', () => {
    expect(parseEnv(schema, {})).toEqual({
      KAFKA_BROKERS: ['127.0.0.1:19092'],
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
      CS_TENANTS_FILE: undefined,
      CS_TOPIC_PREFIX: '',
    });
  });

  it('splits and trims a broker list', () => {
    expect(parseEnv(schema, { KAFKA_BROKERS: ' a:9092, b:9093 ,' }).KAFKA_BROKERS).toEqual([
      'a:9092',
      'b:9093',
    ]);
  });

  it('refuses a broker without a port and a bad prefix, naming the key and the value', () => {
    expect(() => parseEnv(schema, { KAFKA_BROKERS: 'localhost' })).toThrow(
      /KAFKA_BROKERS="localhost" \(item 0\): each broker must be host:port/,
    );
    expect(() => parseEnv(schema, { CS_TOPIC_PREFIX: 'a b' })).toThrow(/CS_TOPIC_PREFIX="a b"/);
  });
});
