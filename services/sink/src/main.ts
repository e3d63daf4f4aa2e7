import { createLogger, runService } from '@cs/runtime';
import { topicCatalogFromEnv } from '@cs/schemas';
import { sinkConfigFromEnv } from './config.js';
import { startSink } from './sink.js';

// The sink process: derived topics + dead letters → ClickHouse fact tables, exactly once.
const logger = createLogger({ component: 'sink' });
runService('sink', logger, async () => {
  const sink = await startSink({
    config: sinkConfigFromEnv(),
    catalog: topicCatalogFromEnv(),
    logger,
  });
  return { service: sink, ready: `sink ready (metrics on port ${String(sink.httpPort)})` };
});
