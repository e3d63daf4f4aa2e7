import { describe, expect, it } from 'vitest';
import { serviceUrls, stackProfile } from './profile.js';

describe('stackProfile', () => {
  it('gives the default and test profiles distinct ports, so a running stack and a test run never collide', () => {
    const dev = stackProfile('default', {});
    const test = stackProfile('test', {});
    const devPorts = Object.values(dev.ports);
    for (const port of Object.values(test.ports)) expect(devPorts).not.toContain(port);
    expect(dev.dir).not.toBe(test.dir);
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
