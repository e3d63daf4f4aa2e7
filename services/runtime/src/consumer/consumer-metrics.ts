import { MetricsRegistry, type Counter, type Gauge, type Histogram } from './prometheus.js';

/** Batch durations from 5 ms to 1 min: a healthy batch is milliseconds, a stuck one is seconds. */
const BATCH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The consumer shell's metrics; every series carries the consumer `group`. */
export interface ConsumerMetrics {
  readonly registry: MetricsRegistry;
  readonly lag: Gauge;
  readonly batchDuration: Histogram;
  readonly recordsIn: Counter;
  readonly recordsOut: Counter;
  readonly dlq: Counter;
  readonly dropped: Counter;
  readonly retries: Counter;
  readonly inFlight: Gauge;
  readonly pausedPartitions: Gauge;
  readonly pauses: Counter;
  readonly commits: Counter;
  readonly deliveryFailures: Counter;
  readonly skippedAfterFence: Counter;
}

export function createConsumerMetrics(registry = new MetricsRegistry()): ConsumerMetrics {
  return {
    registry,
    lag: registry.gauge(
      'cs_consumer_lag',
      'High watermark minus committed offset, per input partition.',
      ['group', 'topic', 'partition'],
    ),
    batchDuration: registry.histogram(
      'cs_batch_duration_seconds',
      'Time to handle, deliver and commit one fetched batch.',
      ['group'],
      BATCH_BUCKETS,
    ),
    recordsIn: registry.counter('cs_records_in_total', 'Input records handled to an outcome.', [
      'group',
      'topic',
    ]),
    recordsOut: registry.counter(
      'cs_records_out_total',
      'Output records delivered (acknowledged or committed).',
      ['group', 'topic'],
    ),
    dlq: registry.counter('cs_dlq_total', 'Input records written to the dead-letter topic.', [
      'group',
      'topic',
      'step',
    ]),
    dropped: registry.counter(
      'cs_dropped_total',
      'Input records dropped on purpose by the handler.',
      ['group', 'topic'],
    ),
    retries: registry.counter(
      'cs_retries_total',
      'Retries of input records (retry outcomes and handler throws).',
      ['group', 'topic'],
    ),
    inFlight: registry.gauge('cs_records_in_flight', 'Records fetched and not yet committed.', [
      'group',
    ]),
    pausedPartitions: registry.gauge('cs_paused_partitions', 'Partitions paused by backpressure.', [
      'group',
    ]),
    pauses: registry.counter(
      'cs_backpressure_pauses_total',
      'Partitions paused because too many records were in flight.',
      ['group'],
    ),
    commits: registry.counter('cs_commits_total', 'Offset commits (plain or transactional).', [
      'group',
      'mode',
    ]),
    deliveryFailures: registry.counter(
      'cs_delivery_failures_total',
      'Failed deliveries (produce, dead-letter or commit); the batch is delivered again.',
      ['group'],
    ),
    skippedAfterFence: registry.counter(
      'cs_fenced_skipped_total',
      'Records skipped because a fenced previous owner had already committed them (exactly-once).',
      ['group', 'topic'],
    ),
  };
}
