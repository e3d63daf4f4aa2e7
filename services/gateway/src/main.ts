/**
 * Runs the gateway: `node --conditions=@cs/source --import tsx src/main.ts`.
 * Config: CS_GATEWAY_HOST, CS_GATEWAY_PORT, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CS_TENANTS_FILE,
 * CS_GATEWAY_MAX_EVENT_BYTES, CS_GATEWAY_MAX_REQUEST_BYTES, and the topic catalog's CS_TOPIC_*.
 */
import { createLogger, parseEnv, runService } from '@cs/runtime';
import { loadTenants, tenantsFilePath } from '@cs/tenants';
import { gatewayEnvSchema } from './config.js';
import { startGateway } from './gateway.js';

const log = createLogger({ component: 'gateway' });

runService('gateway', log, async () => {
  const env = parseEnv(gatewayEnvSchema);
  const tenants = loadTenants(tenantsFilePath({ CS_TENANTS_FILE: env.CS_TENANTS_FILE }));
  log.info('starting', { config: env, tenants: tenants.tenants.map((tenant) => tenant.id) });
  const gateway = await startGateway({
    host: env.CS_GATEWAY_HOST,
    port: env.CS_GATEWAY_PORT,
    brokers: env.KAFKA_BROKERS,
    registryUrl: env.SCHEMA_REGISTRY_URL,
    tenants,
    maxEventBytes: env.CS_GATEWAY_MAX_EVENT_BYTES,
    maxRequestBytes: env.CS_GATEWAY_MAX_REQUEST_BYTES,
    logger: log,
  });
  return { service: gateway, ready: `gateway listening on ${gateway.url}` };
});
