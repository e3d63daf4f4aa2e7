import type { ValidEvent } from '@cs/schemas';

/** Where a line came from: reported as the resume point when publishing stops part-way. */
export interface LinePosition {
  file: string;
  line: number;
}

export interface Batch {
  events: ValidEvent[];
  /** Input bytes of the lines in the batch (a stand-in for the encoded size). */
  bytes: number;
  /** The last line the batch carries: once it is acknowledged, everything up to here is in Kafka. */
  last: LinePosition;
}

export interface BatchLimits {
  maxEvents: number;
  maxBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxEvents: 1_000, maxBytes: 1 << 20 };

/**
 * Fills batches in input order and hands one back as soon as it reaches either limit, so one
 * batch is one publish() call of bounded size.
 */
export class Batcher {
  private events: ValidEvent[] = [];
  private bytes = 0;
  private last: LinePosition | undefined;

  constructor(private readonly limits: BatchLimits) {}

  /** Adds an event; returns the batch it completed, if any. */
  add(valid: ValidEvent, bytes: number, position: LinePosition): Batch | undefined {
    this.events.push(valid);
    this.bytes += bytes;
    this.last = position;
    if (this.events.length >= this.limits.maxEvents || this.bytes >= this.limits.maxBytes) {
      return this.take();
    }
    return undefined;
  }

  /** The partly filled batch, at the end of the input. */
  flush(): Batch | undefined {
    return this.events.length === 0 ? undefined : this.take();
  }

  private take(): Batch {
    const last = this.last ?? { file: '', line: 0 };
    const batch = { events: this.events, bytes: this.bytes, last };
    this.events = [];
    this.bytes = 0;
    this.last = undefined;
    return batch;
  }
}
