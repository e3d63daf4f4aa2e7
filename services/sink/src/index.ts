// The public API of @cs/sink: start a sink, and the pure parts tests and tools use.
export {
  startSink,
  type Sink,
  type SinkExit,
  type SinkOptions,
  type SinkErrorCode,
} from './sink.js';
export { sinkConfigFromEnv, sinkEnvSchema, type SinkConfig } from './config.js';
export {
  dedupToken,
  encodeRangeMetadata,
  parseRangeMetadata,
  PartitionBatcher,
  type OffsetRange,
} from './batch-range.js';
export { FACT_TABLES, TABLE_OF_DERIVED, type FactTable } from './fact-tables.js';
export { mapDerived, ROW_MAPPERS, type FactRow } from './row-mapping.js';
export { deadLetterRow, payloadText } from './dead-letter-rows.js';
export { createClickHouseWriter, type FactWriter } from './clickhouse-writer.js';
