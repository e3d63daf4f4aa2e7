/**
 * A tiny Prometheus registry and text-format (0.0.4) writer: counters, gauges and histograms with
 * labels. No dependency: the exposition format is small and stable.
 */
export type Labels = Readonly<Record<string, string>>;
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  /** Suffix after the family name, e.g. `_bucket`, `_sum`, `_count`; empty for plain samples. */
  readonly suffix: string;
  readonly labels: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** The text exposition of some metric families, `# HELP` and `# TYPE` first, one line per sample. */
export function formatPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      lines.push(
        `${family.name}${sample.suffix}${formatLabels(sample.labels)} ${formatValue(sample.value)}`,
      );
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function checkNames(name: string, labelNames: readonly string[]): void {
  if (!NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
  for (const label of labelNames) {
    if (!LABEL.test(label) || label.startsWith('__') || label === 'le') {
      throw new Error(`invalid label name ${JSON.stringify(label)} on ${name}`);
    }
  }
}

/** Labels in the declared order, so one series has one key whatever the caller's order. */
function seriesKey(labelNames: readonly string[], labels: Labels): string {
  return JSON.stringify(labelNames.map((name) => labels[name] ?? ''));
}

function ordered(labelNames: readonly string[], labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const name of labelNames) out[name] = labels[name] ?? '';
  return out;
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    checkNames(name, labelNames);
  }
  abstract collect(): MetricFamily;
}

export class Counter extends Metric {
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    const key = seriesKey(this.labelNames, labels);
    const entry = this.#series.get(key) ?? { labels: ordered(this.labelNames, labels), value: 0 };
    entry.value += by;
    this.#series.set(key, entry);
  }

  value(labels: Labels = {}): number {
    return this.#series.get(seriesKey(this.labelNames, labels))?.value ?? 0;
  }

  collect(): MetricFamily {
    const samples = [...this.#series.values()].map((s) => ({
      suffix: '',
      labels: s.labels,
      value: s.value,
    }));
    return { name: this.name, help: this.help, type: 'counter', samples };
  }
}

export class Gauge extends Metric {
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  set(labels: Labels, value: number): void {
    this.#series.set(seriesKey(this.labelNames, labels), {
      labels: ordered(this.labelNames, labels),
      value,
    });
  }

  value(labels: Labels = {}): number | undefined {
    return this.#series.get(seriesKey(this.labelNames, labels))?.value;
  }

  collect(): MetricFamily {
    const samples = [...this.#series.values()].map((s) => ({
      suffix: '',
      labels: s.labels,
      value: s.value,
    }));
    return { name: this.name, help: this.help, type: 'gauge', samples };
  }
}

export class Histogram extends Metric {
  readonly #buckets: readonly number[];
  readonly #series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ) {
    super(name, help, labelNames);
    this.#buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels, value: number): void {
    const key = seriesKey(this.labelNames, labels);
    const entry = this.#series.get(key) ?? {
      labels: ordered(this.labelNames, labels),
      counts: this.#buckets.map(() => 0),
      sum: 0,
      count: 0,
    };
    this.#buckets.forEach((bound, i) => {
      if (value <= bound) entry.counts[i] = (entry.counts[i] ?? 0) + 1;
    });
    entry.sum += value;
    entry.count += 1;
    this.#series.set(key, entry);
  }

  collect(): MetricFamily {
    const samples: Sample[] = [];
    for (const series of this.#series.values()) {
      // NOTE: Prometheus buckets are cumulative (`le` = less than or equal), so each count already
      // includes the smaller buckets; `+Inf` equals `_count`.
      this.#buckets.forEach((bound, i) => {
        samples.push({
          suffix: '_bucket',
          labels: { ...series.labels, le: formatValue(bound) },
          value: series.counts[i] ?? 0,
        });
      });
      samples.push({
        suffix: '_bucket',
        labels: { ...series.labels, le: '+Inf' },
        value: series.count,
      });
      samples.push({ suffix: '_sum', labels: series.labels, value: series.sum });
      samples.push({ suffix: '_count', labels: series.labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', samples };
  }
}

/** Holds metrics in registration order and writes them out. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames));
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    return this.#add(new Histogram(name, help, labelNames, buckets));
  }

  format(): string {
    return formatPrometheus([...this.#metrics.values()].map((metric) => metric.collect()));
  }

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}
