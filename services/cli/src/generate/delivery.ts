import { renderBadLine } from './bad-lines.js';
import type { TenantStream } from './tenant-stream.js';
import { DAY_MS, HOUR_MS, SECOND_MS } from './timestamps.js';

export interface DeliveryFractions {
  /** Share of events that arrive late: after events up to ~2 days newer than themselves. */
  late: number;
  /** Share of events delivered a second time, byte-identical, a little later. */
  duplicate: number;
  /** Share of events next to which a bad line is injected. */
  bad: number;
}

export interface DeliveryStats {
  events: number;
  duplicates: number;
  late: number;
  bad: number;
}

/** Renders an encoded usage event; the same inputs always give the same line. */
export type UsageRenderer = (
  tenant: number,
  user: number,
  ts: number,
  id: number,
  code: number,
) => string;

/**
 * One arrival day. Usage events, the bulk, are kept as numbers in parallel columns and rendered
 * only when written, so the held-back day costs ~60 bytes per event instead of a retained string
 * (which made the generator GC-bound). `refs` ≥ 0 point into the usage columns, < 0 into `lines`.
 */
class Bucket {
  readonly offsets: number[] = [];
  readonly refs: number[] = [];
  readonly lines: string[] = [];
  readonly tenant: number[] = [];
  readonly user: number[] = [];
  readonly ts: number[] = [];
  readonly id: number[] = [];
  readonly code: number[] = [];
}

// A day bucket's sort key packs (ms into the day) × 2^26 + arrival index into one exact double,
// so a plain Float64Array sort orders by arrival time with ties kept in push order.
const INDEX_BITS = 2 ** 26;
const CHUNK_LINES = 8_192;

/**
 * Decides when each record arrives in the file. By default a record arrives at its own `ts`;
 * a late one arrives 1–47 hours later, a duplicate copy seconds to hours later. Records are
 * bucketed per arrival day and each day is released sorted by arrival time, so the file is in
 * `ts` order except for exactly the late records and duplicates.
 */
export class Delivery {
  readonly stats: DeliveryStats = { events: 0, duplicates: 0, late: 0, bad: 0 };
  private readonly buckets = new Map<number, Bucket>();

  constructor(
    private readonly originMs: number,
    private readonly fractions: DeliveryFractions,
  ) {}

  /** A pre-rendered record (entities: few, so kept as strings). */
  push(stream: TenantStream, ts: number, line: string): void {
    this.route(stream, ts, (bucket) => {
      bucket.lines.push(line);
      return -bucket.lines.length;
    });
  }

  /** A usage event in the encoded form of UsageGenerator, rendered when its day is written. */
  pushUsage(stream: TenantStream, user: number, ts: number, id: number, code: number): void {
    this.route(stream, ts, (bucket) => {
      bucket.tenant.push(stream.index);
      bucket.user.push(user);
      bucket.ts.push(ts);
      bucket.id.push(id);
      bucket.code.push(code);
      return bucket.ts.length - 1;
    });
  }

  /** Releases the records arriving on day `day` (0 = the origin's day), in arrival order. */
  *take(day: number, render: UsageRenderer): Generator<string[], void, undefined> {
    const bucket = this.buckets.get(day);
    if (!bucket) return;
    this.buckets.delete(day);
    const { offsets, refs, lines } = bucket;
    const keys = new Float64Array(offsets.length);
    for (let i = 0; i < keys.length; i++) keys[i] = (offsets[i] ?? 0) * INDEX_BITS + i;
    keys.sort();
    for (let from = 0; from < keys.length; from += CHUNK_LINES) {
      const to = Math.min(keys.length, from + CHUNK_LINES);
      const chunk = new Array<string>(to - from);
      for (let k = from; k < to; k++) {
        const ref = refs[(keys[k] ?? 0) % INDEX_BITS] ?? 0;
        chunk[k - from] =
          ref < 0
            ? (lines[-ref - 1] ?? '')
            : render(
                bucket.tenant[ref] ?? 0,
                bucket.user[ref] ?? 0,
                bucket.ts[ref] ?? 0,
                bucket.id[ref] ?? 0,
                bucket.code[ref] ?? 0,
              );
      }
      yield chunk;
    }
  }

  /** The days that still hold records (late arrivals past the window), in order. */
  pendingDays(): number[] {
    return [...this.buckets.keys()].sort((a, b) => a - b);
  }

  /** Places the record once (late or not), maybe a duplicate copy, maybe a bad line beside it. */
  private route(stream: TenantStream, ts: number, add: (bucket: Bucket) => number): void {
    const { rng } = stream;
    this.stats.events += 1;
    let arrival = ts;
    if (this.fractions.late > 0 && rng.chance(this.fractions.late)) {
      arrival += HOUR_MS + rng.int(46 * HOUR_MS);
      this.stats.late += 1;
    }
    this.place(arrival, add);
    if (this.fractions.duplicate > 0 && rng.chance(this.fractions.duplicate)) {
      this.place(arrival + SECOND_MS + rng.int(6 * HOUR_MS), add);
      this.stats.duplicates += 1;
    }
    if (this.fractions.bad > 0 && rng.chance(this.fractions.bad)) {
      const bad = renderBadLine(stream, ts).line;
      this.place(arrival, (bucket) => {
        bucket.lines.push(bad);
        return -bucket.lines.length;
      });
      this.stats.bad += 1;
    }
  }

  private place(arrival: number, add: (bucket: Bucket) => number): void {
    const day = Math.floor((arrival - this.originMs) / DAY_MS);
    let bucket = this.buckets.get(day);
    if (!bucket) {
      bucket = new Bucket();
      this.buckets.set(day, bucket);
    }
    if (bucket.offsets.length >= INDEX_BITS) {
      throw new RangeError(`more than ${INDEX_BITS} records arrive on one day; use more --days`);
    }
    bucket.refs.push(add(bucket));
    bucket.offsets.push(arrival - this.originMs - day * DAY_MS);
  }
}
