import { describe, expect, it } from 'vitest';
import { appServices } from './app-services.js';

const urls = {
  kafkaBrokers: ['127.0.0.1:1'],
  schemaRegistryUrl: 'http://127.0.0.1:2',
  clickhouseUrl: 'http://127.0.0.1:3',
};
const envOf = (services: ReturnType<typeof appServices>, name: string): Record<string, string> => {
  const service = services.find((candidate) => candidate.name === name);
  if (service === undefined) throw new Error(`no app service ${name}`);
  return service.env;
};

describe('appServices in a pipeline generation', () => {
  it('runs generation 0 with the plain group names', () => {
    const services = appServices(urls, { env: { CS_SINK_GROUP: 'run_sink' } });
    expect(envOf(services, 'sink')).toMatchObject({
      CS_PIPELINE_GENERATION: '0',
      CS_SINK_GROUP: 'run_sink',
      CS_SESSIONIZER_GROUP_ID: process.env.CS_SESSIONIZER_GROUP_ID ?? 'cs-sessionizer',
    });
  });

  it('suffixes every stream group and passes the generation on', () => {
    const services = appServices(urls, { env: { CS_SINK_GROUP: 'run_sink' }, generation: 3 });
    for (const name of ['sessionizer', 'enricher', 'billing', 'sink']) {
      expect(envOf(services, name)).toMatchObject({
        CS_PIPELINE_GENERATION: '3',
        CS_SINK_GROUP: 'run_sink.g3',
        CS_ENRICHER_GROUP_ID: `${process.env.CS_ENRICHER_GROUP_ID ?? 'cs-enricher'}.g3`,
        CS_BILLING_GROUP_ID: `${process.env.CS_BILLING_GROUP_ID ?? 'cs-billing'}.g3`,
      });
    }
  });
});
