/**
 * Runs the enricher: `node --conditions=@cs/source --import tsx src/service/main.ts` (`npm start`).
 * Config (env): KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CS_TENANTS_FILE, CS_TOPIC_PREFIX,
 * CS_ENRICHER_GROUP_ID, CS_ENRICHER_METRICS_PORT, CS_ENRICHER_COMMIT_EVERY,
 * CS_ENRICHER_SESSION_TIMEOUT_MS, CS_ENRICHER_RESTORE_TIMEOUT_MS, CS_ENRICHER_TABLES_TIMEOUT_MS,
 * CS_ENRICHER_HIERARCHY_HORIZON_HOURS, CS_ENRICHER_HEAP_GROWING_PERCENT, and the catalog's
 * CS_TOPIC_PARTITIONS for topics it creates.
 */
import { createLogger, limitHeapGrowth, parseEnv, runService } from '@cs/runtime';
import { topicCatalogFromEnv } from '@cs/schemas';
import { loadTenants, tenantsFilePath } from '@cs/tenants';
import { startEnricher } from './enricher-service.js';
import { enricherEnvSchema } from './service-config.js';

const log = createLogger({ component: 'enricher' });

runService('enricher', log, async () => {
  const env = parseEnv(enricherEnvSchema);
  limitHeapGrowth(env.CS_ENRICHER_HEAP_GROWING_PERCENT);
  const tenants = loadTenants(tenantsFilePath({ CS_TENANTS_FILE: env.CS_TENANTS_FILE }));
  const catalog = topicCatalogFromEnv();
  log.info('starting', { config: env });
  const service = await startEnricher({
    brokers: env.KAFKA_BROKERS,
    registryUrl: env.SCHEMA_REGISTRY_URL,
    tenants,
    topicPrefix: env.CS_TOPIC_PREFIX,
    topicPartitions: catalog.raw.account.partitions,
    groupId: env.CS_ENRICHER_GROUP_ID,
    metricsPort: env.CS_ENRICHER_METRICS_PORT,
    commitEvery: env.CS_ENRICHER_COMMIT_EVERY,
    restoreTimeoutMs: env.CS_ENRICHER_RESTORE_TIMEOUT_MS,
    tablesTimeoutMs: env.CS_ENRICHER_TABLES_TIMEOUT_MS,
    hierarchyHorizonMs: env.CS_ENRICHER_HIERARCHY_HORIZON_HOURS * 3_600_000,
    consumer: {
      sessionTimeoutMs: env.CS_ENRICHER_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: Math.min(3000, Math.floor(env.CS_ENRICHER_SESSION_TIMEOUT_MS / 5)),
    },
    logger: log,
  });
  return {
    service,
    ready: `enricher consuming ${service.topics.account}, ${service.topics.user}, ${service.topics.activity} (metrics on port ${String(service.shell.httpPort)})`,
  };
});
