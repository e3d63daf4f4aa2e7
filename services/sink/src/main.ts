import { createLogger, errorMessage, installSignalHandlers } from '@cs/runtime';
import { topicCatalogFromEnv } from '@cs/schemas';
import { sinkConfigFromEnv } from './config.js';
import { startSink } from './sink.js';

// The sink process: derived topics + dead letters → ClickHouse fact tables, exactly once.
const logger = createLogger({ component: 'sink' });
try {
  const config = sinkConfigFromEnv();
  const sink = await startSink({ config, catalog: topicCatalogFromEnv(), logger });
  installSignalHandlers(() => sink.stop(), { logger });
  process.stdout.write(`sink ready (metrics on port ${String(sink.httpPort)})\n`);
  const exit = await sink.done;
  process.exitCode = exit.kind === 'failed' ? 1 : 0;
} catch (error) {
  logger.error('sink failed to start', { error: errorMessage(error) });
  process.exitCode = 1;
}
