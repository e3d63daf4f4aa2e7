import { describe, expect, it } from 'vitest';
import { serviceUrls, stackProfile } from './profile.js';

describe('stackProfile', () => {
  it('gives the default, test and bench profiles distinct ports, so they never collide', () => {
    const profiles = ['default', 'test', 'bench'].map((name) => stackProfile(name, {}));
    const ports = profiles.flatMap((profile) => Object.values(profile.ports));
    expect(new Set(ports).size).toBe(ports.length);
    expect(new Set(profiles.map((profile) => profile.dir)).size).toBe(3);
  });

  it('takes port overrides from CS_*_PORT', () => {
    const profile = stackProfile('default', { CS_KAFKA_PORT: '9999', CS_WAREHOUSE_PORT: '8124' });
    expect(profile.ports.kafka).toBe(9999);
    expect(serviceUrls(profile)).toEqual({
      kafkaBrokers: ['127.0.0.1:9999'],
      schemaRegistryUrl: `http://127.0.0.1:${profile.ports.registry}/apis/ccompat/v7`,
      clickhouseUrl: 'http://127.0.0.1:8124',
    });
  });

  it('refuses a bad port, naming the key and the value', () => {
    expect(() => stackProfile('default', { CS_REGISTRY_PORT: 'eighty' })).toThrow(
      /CS_REGISTRY_PORT="eighty": must be a port number/,
    );
    expect(() => stackProfile('default', { CS_KAFKA_PORT: '70000' })).toThrow(/CS_KAFKA_PORT/);
  });

  it('refuses a profile name that is not a plain directory name', () => {
    expect(() => stackProfile('../etc', {})).toThrow(/CS_STACK/);
  });
});
