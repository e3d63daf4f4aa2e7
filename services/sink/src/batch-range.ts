/**
 * Batch ranges: which offsets of one partition form one insert, how a range is written down
 * before the insert (offset-commit metadata) and the deduplication token that makes a repeated
 * insert of the same range a no-op. Pure: no Kafka, no ClickHouse.
 */

/** Inclusive offsets of the first and last record of a batch (decimal strings, as kafkajs). */
export interface OffsetRange {
  readonly first: string;
  readonly last: string;
}

const METADATA_VERSION = 1;

/**
 * `insert_deduplication_token` of one table's insert for one batch:
 * `<table>:<topic>:<partition>:<first>-<last>`. Deterministic in the range alone, so the same range
 * inserted again (after a crash, a rebalance or a timeout) is dropped by ClickHouse.
 */
export function dedupToken(
  table: string,
  topic: string,
  partition: number,
  range: OffsetRange,
): string {
  return `${table}:${topic}:${partition}:${range.first}-${range.last}`;
}

/** Offset-commit metadata of a range about to be inserted (`{"v":1,"first":"…","last":"…"}`). */
export function encodeRangeMetadata(range: OffsetRange): string {
  return JSON.stringify({ v: METADATA_VERSION, first: range.first, last: range.last });
}

const DECIMAL = /^\d{1,19}$/;

/**
 * The pending range recorded in the committed offset's metadata, if any. Empty or foreign metadata
 * means no batch was in flight: the next batch may be formed freely.
 */
export function parseRangeMetadata(metadata: string | null | undefined): OffsetRange | undefined {
  if (metadata === null || metadata === undefined || metadata === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return undefined; // Not ours (another tool committed for this group): nothing pending.
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, first, last } = parsed as Record<string, unknown>;
  if (v !== METADATA_VERSION || typeof first !== 'string' || typeof last !== 'string') {
    return undefined;
  }
  if (!DECIMAL.test(first) || !DECIMAL.test(last) || BigInt(first) > BigInt(last)) return undefined;
  return { first, last };
}

/** A buffered record: its offset and when it arrived (for the time bound). */
export interface Buffered<M> {
  readonly offset: string;
  readonly message: M;
  readonly arrivedAt: number;
}

export interface BatchLimits {
  /** Rows per batch at most (one record → one row). */
  readonly maxRows: number;
  /** A batch is cut once its first record has waited this long. */
  readonly maxWaitMs: number;
  /**
   * ...or already once it has waited this long while the sink writes nothing else (`take`'s
   * `idle`): a batch then costs the warehouse nothing in waiting. Undefined: never early.
   */
  readonly idleWaitMs?: number;
}

export interface FormedBatch<M> {
  readonly range: OffsetRange;
  readonly records: readonly Buffered<M>[];
  /** True when the range was recorded by an earlier run and is re-formed exactly. */
  readonly replay: boolean;
}

export type AddResult = 'buffered' | 'already-seen';

/**
 * The batches of one partition. Records arrive in offset order (possibly re-fetched: those below
 * `next` are ignored). A pending range recorded by an earlier run is re-formed EXACTLY — whatever
 * the fetch sizes now, the batch is every record with an offset in it — before any new batch is
 * cut by size or time. One batch is in flight at a time; `complete` drops it from the buffer.
 *
 * NOTE: offsets of a partition are not dense (transaction markers, aborted records), so a range is
 * "first..last inclusive", never "first + count".
 */
export class PartitionBatcher<M> {
  #next: bigint;
  #pending: OffsetRange | undefined;
  #buffer: Buffered<M>[] = [];
  #inFlight: FormedBatch<M> | undefined;
  /** The offset after the last fetched offsets that held no row, while not yet committed. */
  #passedTo: bigint | undefined;

  constructor(
    committed: string,
    pending: OffsetRange | undefined,
    private readonly limits: BatchLimits,
  ) {
    this.#next = BigInt(committed);
    // A recorded range entirely below the committed offset was finished by an earlier run.
    this.#pending =
      pending !== undefined && BigInt(pending.last) >= this.#next ? pending : undefined;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  get pending(): OffsetRange | undefined {
    return this.#pending;
  }

  get inFlight(): FormedBatch<M> | undefined {
    return this.#inFlight;
  }

  add(offset: string, message: M, now: number): AddResult {
    const value = BigInt(offset);
    if (value < this.#next) return 'already-seen';
    this.#buffer.push({ offset, message, arrivedAt: now });
    this.#next = value + 1n;
    return 'buffered';
  }

  /**
   * Offsets through `offset` hold no row: kafkajs fetched only transaction markers (or aborted
   * records) there and filtered them out. They are committed past once nothing else is open
   * (see `idleCommit`).
   */
  pass(offset: string): void {
    const value = BigInt(offset);
    if (value < this.#next) return;
    this.#next = value + 1n;
    this.#passedTo = value + 1n;
  }

  /**
   * The offset to commit past passed-over markers, or undefined. Only when nothing is buffered,
   * in flight or recorded: a recorded range lives in the metadata of the commit at its first
   * offset, which must not be overwritten before its insert is done.
   *
   * NOTE: a marker seen while a batch is open is not lost: the batch's own commit goes past it
   * when nothing is buffered after the batch (see `commitAfter`); otherwise it becomes this idle
   * commit as soon as the lane has nothing else to do.
   */
  idleCommit(): string | undefined {
    if (this.#inFlight !== undefined || this.#pending !== undefined || this.#buffer.length > 0) {
      return undefined;
    }
    return this.#passedTo?.toString();
  }

  /**
   * Where the in-flight batch's final commit goes: `last + 1`, or past the markers that follow it
   * when no record is buffered after it (a record fetched later lies beyond those markers).
   */
  commitAfter(range: OffsetRange): string {
    const next = BigInt(range.last) + 1n;
    const later = this.#buffer.some((item) => BigInt(item.offset) >= next);
    const passed = this.#passedTo;
    return (!later && passed !== undefined && passed > next ? passed : next).toString();
  }

  /** `idleCommit`'s offset is committed. */
  passCommitted(offset: string): void {
    if (this.#passedTo !== undefined && this.#passedTo <= BigInt(offset))
      this.#passedTo = undefined;
  }

  /**
   * The next batch to insert, or undefined while none is complete (or one is in flight). `flush`
   * cuts whatever is buffered now (stop), except that a recorded range still waits for its end;
   * `idle` (nothing else being written) lets a batch be cut after `idleWaitMs`.
   */
  take(now: number, flush = false, idle = false): FormedBatch<M> | undefined {
    if (this.#inFlight !== undefined || this.#buffer.length === 0) return undefined;
    const pending = this.#pending;
    if (pending !== undefined) {
      const last = BigInt(pending.last);
      const end = this.#buffer.findIndex((item) => BigInt(item.offset) >= last);
      if (end === -1) return undefined;
      const through = BigInt(this.#buffer[end]?.offset ?? '0') === last ? end + 1 : end;
      return this.#start({ range: pending, records: this.#buffer.slice(0, through), replay: true });
    }
    const first = this.#buffer[0];
    if (first === undefined) return undefined;
    const full = this.#buffer.length >= this.limits.maxRows;
    const waited = now - first.arrivedAt;
    const idleWait = this.limits.idleWaitMs;
    const due =
      waited >= this.limits.maxWaitMs || (idle && idleWait !== undefined && waited >= idleWait);
    if (!full && !due && !flush) return undefined;
    const records = this.#buffer.slice(0, this.limits.maxRows);
    const lastRecord = records[records.length - 1] ?? first;
    return this.#start({
      range: { first: first.offset, last: lastRecord.offset },
      records,
      replay: false,
    });
  }

  /** The in-flight batch is inserted and committed (at `committed`): drop it, allow the next. */
  complete(committed?: string): void {
    const batch = this.#inFlight;
    if (batch === undefined) return;
    const last = BigInt(batch.range.last);
    this.#buffer = this.#buffer.filter((item) => BigInt(item.offset) > last);
    this.#inFlight = undefined;
    this.#pending = undefined;
    // The batch's commit already passes a marker at or before it.
    this.passCommitted(committed ?? (last + 1n).toString());
  }

  /** When the oldest buffered record becomes due (for the flush timer), if any. */
  dueAt(): number | undefined {
    const first = this.#buffer[0];
    return first === undefined ? undefined : first.arrivedAt + this.limits.maxWaitMs;
  }

  #start(batch: FormedBatch<M>): FormedBatch<M> {
    this.#inFlight = batch;
    return batch;
  }
}
