export {
  backoffDelayMs,
  backoffSchedule,
  defaultRetryPolicy,
  type RetryPolicy,
} from './backoff.js';
export {
  CONSUMER_ENV_KEYS,
  consumerConfigFromEnv,
  consumerConfigSchema,
  type ConsumerConfig,
  type ConsumerConfigInput,
} from './consumer-config.js';
export { createConsumerMetrics, type ConsumerMetrics } from './consumer-metrics.js';
export {
  createConsumerShell,
  type ConsumerShell,
  type ConsumerShellErrorCode,
  type ConsumerShellOptions,
  type ShellExit,
} from './consumer-shell.js';
export { DLQ_HEADERS, deadLetterRecord } from './dead-letter.js';
export { createServiceKafka, type ServiceKafkaOptions } from './kafka-client.js';
export type { DeliveryErrorCode } from './delivery.js';
export type { BatchErrorCode } from './batch-processor.js';
export { filteredThrough, type BatchProcessReport } from './filtered-batch.js';
export { HealthState, type HealthReport, type HealthStatus } from './health.js';
export { startHttpEndpoint, type HttpEndpoint, type HttpEndpointOptions } from './http-endpoint.js';
export { InFlightGate, partitionKey, type GateChange, type TopicPartition } from './in-flight.js';
export { OffsetTracker, type OffsetTrackerErrorCode } from './offset-tracker.js';
export {
  outcome,
  type HandlerInput,
  type HandlerOutcome,
  type HeaderValue,
  type OutcomeKind,
  type OutputRecord,
  type RecordDecoder,
  type RecordHandler,
  type RecordHeaders,
  type SourceRecord,
} from './outcome.js';
export {
  Counter,
  Gauge,
  Histogram,
  MetricsRegistry,
  formatPrometheus,
  type Labels,
  type MetricFamily,
  type MetricType,
  type Sample,
} from './prometheus.js';
export { routeRecord, type RecordDecision, type RoutingDeps } from './record-routing.js';
export { installSignalHandlers } from './signals.js';
