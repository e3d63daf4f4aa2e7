/**
 * Runs the sessionizer: `node --conditions=@cs/source --import tsx src/service/main.ts`.
 * Config (env): KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CS_TENANTS_FILE, CS_TOPIC_PREFIX,
 * CS_SESSIONIZER_GROUP_ID, CS_SESSIONIZER_METRICS_PORT, CS_SESSIONIZER_COMMIT_EVERY,
 * CS_SESSIONIZER_SESSION_TIMEOUT_MS, CS_SESSIONIZER_RESTORE_TIMEOUT_MS, CS_SESSIONIZER_HOT_USERS, CS_SESSIONIZER_HEAP_GROWING_PERCENT, and the catalog's CS_TOPIC_PARTITIONS for topics it creates.
 */
import { createLogger, limitHeapGrowth, parseEnv, runService } from '@cs/runtime';
import { topicCatalogFromEnv } from '@cs/schemas';
import { loadTenants, tenantsFilePath } from '@cs/tenants';
import { sessionizerEnvSchema } from './service-config.js';
import { startSessionizer } from './sessionizer-service.js';

const log = createLogger({ component: 'sessionizer' });

runService('sessionizer', log, async () => {
  const env = parseEnv(sessionizerEnvSchema);
  limitHeapGrowth(env.CS_SESSIONIZER_HEAP_GROWING_PERCENT);
  const tenants = loadTenants(tenantsFilePath({ CS_TENANTS_FILE: env.CS_TENANTS_FILE }));
  const catalog = topicCatalogFromEnv();
  log.info('starting', { config: env, tenants: tenants.tenants.map((tenant) => tenant.id) });
  const service = await startSessionizer({
    brokers: env.KAFKA_BROKERS,
    registryUrl: env.SCHEMA_REGISTRY_URL,
    tenants,
    topicPrefix: env.CS_TOPIC_PREFIX,
    topicPartitions: catalog.raw.usage.partitions,
    groupId: env.CS_SESSIONIZER_GROUP_ID,
    metricsPort: env.CS_SESSIONIZER_METRICS_PORT,
    commitEvery: env.CS_SESSIONIZER_COMMIT_EVERY,
    restoreTimeoutMs: env.CS_SESSIONIZER_RESTORE_TIMEOUT_MS,
    hotUsers: env.CS_SESSIONIZER_HOT_USERS,
    consumer: {
      sessionTimeoutMs: env.CS_SESSIONIZER_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: Math.min(3000, Math.floor(env.CS_SESSIONIZER_SESSION_TIMEOUT_MS / 5)),
    },
    logger: log,
  });
  return {
    service,
    ready: `sessionizer consuming ${service.topics.usage} (metrics on port ${String(service.shell.httpPort)})`,
  };
});
