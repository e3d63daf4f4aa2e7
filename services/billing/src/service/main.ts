/**
 * Runs billing: `node --conditions=@cs/source --import tsx src/service/main.ts` (`npm start`).
 * Config (env): KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CS_TENANTS_FILE, CS_TOPIC_PREFIX,
 * CS_BILLING_GROUP_ID, CS_BILLING_METRICS_PORT, CS_BILLING_COMMIT_EVERY,
 * CS_BILLING_RESTORE_TIMEOUT_MS, and the catalog's CS_TOPIC_PARTITIONS for topics it creates.
 */
import { createLogger, parseEnv, runService } from '@cs/runtime';
import { topicCatalogFromEnv } from '@cs/schemas';
import { loadTenants, tenantsFilePath } from '@cs/tenants';
import { startBilling } from './billing-service.js';
import { billingEnvSchema } from './service-config.js';

const log = createLogger({ component: 'billing' });

runService('billing', log, async () => {
  const env = parseEnv(billingEnvSchema);
  const tenants = loadTenants(tenantsFilePath({ CS_TENANTS_FILE: env.CS_TENANTS_FILE }));
  const catalog = topicCatalogFromEnv();
  log.info('starting', { config: env });
  const service = await startBilling({
    brokers: env.KAFKA_BROKERS,
    registryUrl: env.SCHEMA_REGISTRY_URL,
    tenants,
    topicPrefix: env.CS_TOPIC_PREFIX,
    topicPartitions: catalog.raw.subscription.partitions,
    groupId: env.CS_BILLING_GROUP_ID,
    metricsPort: env.CS_BILLING_METRICS_PORT,
    commitEvery: env.CS_BILLING_COMMIT_EVERY,
    restoreTimeoutMs: env.CS_BILLING_RESTORE_TIMEOUT_MS,
    logger: log,
  });
  return {
    service,
    ready: `billing consuming ${service.topics.subscription}, ${service.topics.invoice}, ${service.topics.ticket} (metrics on port ${String(service.shell.httpPort)})`,
  };
});
