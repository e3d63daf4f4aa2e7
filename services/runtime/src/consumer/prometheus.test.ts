import { describe, expect, it } from 'vitest';
import { MetricsRegistry, formatPrometheus } from './prometheus.js';

describe('Prometheus text format', () => {
  it('writes HELP, TYPE and one line per series for counters and gauges', () => {
    const registry = new MetricsRegistry();
    const records = registry.counter('cs_records_in_total', 'Input records.', ['group', 'topic']);
    const lag = registry.gauge('cs_consumer_lag', 'Lag.', ['group', 'topic', 'partition']);
    records.inc({ topic: 'usage', group: 'g' });
    records.inc({ group: 'g', topic: 'usage' }, 2);
    lag.set({ group: 'g', topic: 'usage', partition: '0' }, 5);
    expect(registry.format()).toBe(
      [
        '# HELP cs_records_in_total Input records.',
        '# TYPE cs_records_in_total counter',
        'cs_records_in_total{group="g",topic="usage"} 3',
        '# HELP cs_consumer_lag Lag.',
        '# TYPE cs_consumer_lag gauge',
        'cs_consumer_lag{group="g",topic="usage",partition="0"} 5',
        '',
      ].join('\n'),
    );
  });

  it('writes cumulative histogram buckets, +Inf, _sum and _count', () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram('cs_batch_duration_seconds', 'Batch time.', ['group'], [0.1, 1]);
    h.observe({ group: 'g' }, 0.05);
    h.observe({ group: 'g' }, 0.5);
    h.observe({ group: 'g' }, 3);
    expect(registry.format()).toBe(
      [
        '# HELP cs_batch_duration_seconds Batch time.',
        '# TYPE cs_batch_duration_seconds histogram',
        'cs_batch_duration_seconds_bucket{group="g",le="0.1"} 1',
        'cs_batch_duration_seconds_bucket{group="g",le="1"} 2',
        'cs_batch_duration_seconds_bucket{group="g",le="+Inf"} 3',
        'cs_batch_duration_seconds_sum{group="g"} 3.55',
        'cs_batch_duration_seconds_count{group="g"} 3',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and help text', () => {
    const text = formatPrometheus([
      {
        name: 'm',
        help: 'line\none \\ two',
        type: 'gauge',
        samples: [{ suffix: '', labels: { reason: 'a "quoted"\\path\nnext' }, value: Infinity }],
      },
    ]);
    expect(text).toBe(
      '# HELP m line\\none \\\\ two\n# TYPE m gauge\nm{reason="a \\"quoted\\"\\\\path\\nnext"} +Inf\n',
    );
  });

  it('rejects invalid names, reserved labels, decreasing counters and duplicates', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter('bad-name', 'x')).toThrow(/metric name/);
    expect(() => registry.histogram('h', 'x', ['le'], [1])).toThrow(/label name/);
    const c = registry.counter('c_total', 'x');
    expect(() => c.inc({}, -1)).toThrow(/decrease/);
    expect(() => registry.gauge('c_total', 'x')).toThrow(/twice/);
  });
});
