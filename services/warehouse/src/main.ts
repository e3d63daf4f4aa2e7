/**
 * Runs the warehouse: `node --conditions=@cs/source --import tsx src/main.ts`.
 * Config: CS_WAREHOUSE_HOST, CS_WAREHOUSE_PORT, CS_WAREHOUSE_DATA, CS_WAREHOUSE_MAX_BODY_BYTES.
 */
import { CsError, createLogger, errorMessage, parseEnv } from '@cs/runtime';
import { warehouseEnvSchema } from './config.js';
import { startWarehouse } from './index.js';

const log = createLogger({ component: 'warehouse' });

async function main(): Promise<void> {
  const env = parseEnv(warehouseEnvSchema);
  log.info('starting', { config: env });
  const warehouse = await startWarehouse({
    host: env.CS_WAREHOUSE_HOST,
    port: env.CS_WAREHOUSE_PORT,
    dataDir: env.CS_WAREHOUSE_DATA,
    maxBodyBytes: env.CS_WAREHOUSE_MAX_BODY_BYTES,
    logger: log,
  });
  process.stdout.write(`warehouse listening on ${warehouse.url} (data ${warehouse.dataDir})\n`);

  const shutdown = (signal: NodeJS.Signals): void => {
    log.info('stopping', { signal });
    warehouse.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  const code = error instanceof CsError ? (error as CsError).code : 'STARTUP_FAILED';
  log.error('warehouse failed to start', { code, error: errorMessage(error) });
  process.stderr.write(`warehouse: ${errorMessage(error)}\n`);
  process.exit(1);
});
