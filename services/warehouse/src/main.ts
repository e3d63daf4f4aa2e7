/**
 * Runs the warehouse: `node --conditions=@cs/source --import tsx src/main.ts`.
 * Config: CS_WAREHOUSE_HOST, CS_WAREHOUSE_PORT, CS_WAREHOUSE_DATA, CS_WAREHOUSE_ENGINE_CONFIG,
 * CS_WAREHOUSE_MAX_BODY_BYTES.
 */
import { createLogger, parseEnv, runService } from '@cs/runtime';
import { warehouseEnvSchema } from './config.js';
import { startWarehouse } from './index.js';

const log = createLogger({ component: 'warehouse' });

runService('warehouse', log, async () => {
  const env = parseEnv(warehouseEnvSchema);
  log.info('starting', { config: env });
  const warehouse = await startWarehouse({
    host: env.CS_WAREHOUSE_HOST,
    port: env.CS_WAREHOUSE_PORT,
    dataDir: env.CS_WAREHOUSE_DATA,
    engineConfig: env.CS_WAREHOUSE_ENGINE_CONFIG ?? null,
    maxBodyBytes: env.CS_WAREHOUSE_MAX_BODY_BYTES,
    logger: log,
  });
  return {
    service: warehouse,
    ready: `warehouse listening on ${warehouse.url} (data ${warehouse.dataDir})`,
  };
});
