import {
  createConsumerMetrics,
  type ConsumerMetrics,
  type Counter,
  type Gauge,
  type Histogram,
} from '@cs/runtime';

/** Insert latencies from 5 ms to 1 min (a 10k-row insert with every view is tens of ms). */
const INSERT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The shell's metrics (lag, records in, commits, …) plus the sink's own, in one registry. */
export interface SinkMetrics {
  readonly consumer: ConsumerMetrics;
  readonly insertDuration: Histogram;
  readonly rowsInserted: Counter;
  readonly rowsReplayed: Counter;
  readonly insertFailures: Counter;
  readonly batches: Counter;
  readonly buffered: Gauge;
}

export function createSinkMetrics(): SinkMetrics {
  const consumer = createConsumerMetrics();
  const { registry } = consumer;
  return {
    consumer,
    insertDuration: registry.histogram(
      'cs_sink_insert_duration_seconds',
      'Time of one successful insert of one batch into one table (materialized views included).',
      ['group', 'table'],
      INSERT_BUCKETS,
    ),
    rowsInserted: registry.counter(
      'cs_sink_rows_total',
      'Rows inserted per fact table (first attempts of a range; replays are counted apart).',
      ['group', 'table'],
    ),
    rowsReplayed: registry.counter(
      'cs_sink_replayed_rows_total',
      'Rows of ranges re-inserted after a restart or rebalance (deduplicated by ClickHouse).',
      ['group', 'table'],
    ),
    insertFailures: registry.counter(
      'cs_sink_insert_failures_total',
      'Failed insert attempts (each retried with backoff).',
      ['group', 'table'],
    ),
    batches: registry.counter('cs_sink_batches_total', 'Batches inserted and committed.', [
      'group',
      'topic',
    ]),
    buffered: registry.gauge('cs_sink_buffered_rows', 'Records fetched and not yet committed.', [
      'group',
    ]),
  };
}
