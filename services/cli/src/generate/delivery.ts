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

interface Bucket {
  lines: string[];
  offsets: number[];
}

// A day bucket's sort key packs (ms into the day) × 2^26 + arrival index into one exact double,
// so a plain Float64Array sort orders by arrival time with ties kept in push order.
const INDEX_BITS = 2 ** 26;

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

  push(stream: TenantStream, ts: number, line: string): void {
    const { rng } = stream;
    this.stats.events += 1;
    let arrival = ts;
    if (this.fractions.late > 0 && rng.chance(this.fractions.late)) {
      arrival += HOUR_MS + rng.int(46 * HOUR_MS);
      this.stats.late += 1;
    }
    this.place(arrival, line);
    if (this.fractions.duplicate > 0 && rng.chance(this.fractions.duplicate)) {
      this.place(arrival + SECOND_MS + rng.int(6 * HOUR_MS), line);
      this.stats.duplicates += 1;
    }
    if (this.fractions.bad > 0 && rng.chance(this.fractions.bad)) {
      this.place(arrival, renderBadLine(stream, ts).line);
      this.stats.bad += 1;
    }
  }

  /** Releases the records arriving on day `day` (0 = the origin's day), in arrival order. */
  take(day: number): string[] {
    const bucket = this.buckets.get(day);
    if (!bucket) return [];
    this.buckets.delete(day);
    const { lines, offsets } = bucket;
    const keys = new Float64Array(lines.length);
    for (let i = 0; i < keys.length; i++) keys[i] = (offsets[i] ?? 0) * INDEX_BITS + i;
    keys.sort();
    const ordered = new Array<string>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      ordered[i] = lines[(keys[i] ?? 0) % INDEX_BITS] ?? '';
    }
    return ordered;
  }

  /** The days that still hold records (late arrivals past the window), in order. */
  pendingDays(): number[] {
    return [...this.buckets.keys()].sort((a, b) => a - b);
  }

  private place(arrival: number, line: string): void {
    const day = Math.floor((arrival - this.originMs) / DAY_MS);
    let bucket = this.buckets.get(day);
    if (!bucket) {
      bucket = { lines: [], offsets: [] };
      this.buckets.set(day, bucket);
    }
    if (bucket.lines.length >= INDEX_BITS) {
      throw new RangeError(`more than ${INDEX_BITS} records arrive on one day; use more --days`);
    }
    bucket.lines.push(line);
    bucket.offsets.push(arrival - this.originMs - day * DAY_MS);
  }
}
