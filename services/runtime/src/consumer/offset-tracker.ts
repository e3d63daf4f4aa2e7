import { CsError } from '../errors.js';

export type OffsetTrackerErrorCode = 'OFFSET_OUT_OF_ORDER' | 'OFFSET_UNKNOWN';

/**
 * Offset bookkeeping for one partition: which received records are done, and the offset that may be
 * committed — the one after the longest run of done records, counted in the order they were
 * received. Offsets are not assumed contiguous numbers (compaction and transaction markers leave
 * gaps), only increasing.
 *
 * NOTE: a Kafka commit means "everything before this offset is done", so a record finished out of
 * order must never move the committed offset past an earlier record that is still open.
 */
export class OffsetTracker {
  readonly #received: bigint[] = [];
  readonly #done = new Set<bigint>();
  #head = 0;
  #committable: bigint | undefined;
  #committed: bigint | undefined;

  /** Records handed over by the consumer, in fetch order. */
  receive(offsets: Iterable<string>): void {
    for (const raw of offsets) {
      const offset = BigInt(raw);
      const last = this.#received.at(-1);
      if (last !== undefined && offset <= last) {
        throw new CsError<OffsetTrackerErrorCode>(
          'OFFSET_OUT_OF_ORDER',
          `offset ${raw} received after ${last.toString()}`,
        );
      }
      this.#received.push(offset);
    }
  }

  /** A record's work is finished (outcome decided and, for outputs, about to be delivered). */
  markDone(raw: string): void {
    const offset = BigInt(raw);
    if (!this.#isOpen(offset)) {
      throw new CsError<OffsetTrackerErrorCode>('OFFSET_UNKNOWN', `offset ${raw} is not open`);
    }
    this.#done.add(offset);
    while (this.#head < this.#received.length) {
      const next = this.#received[this.#head];
      if (next === undefined || !this.#done.has(next)) break;
      this.#done.delete(next);
      this.#committable = next + 1n;
      this.#head += 1;
    }
  }

  /** The offset to commit (next to read), when it moved past what was last committed. */
  committable(): string | undefined {
    if (this.#committable === undefined) return undefined;
    if (this.#committed !== undefined && this.#committable <= this.#committed) return undefined;
    return this.#committable.toString();
  }

  /** The last offset committed done-through (last done offset), for kafkajs `resolveOffset`. */
  lastDone(): string | undefined {
    return this.#committable === undefined ? undefined : (this.#committable - 1n).toString();
  }

  markCommitted(next: string): void {
    this.#committed = BigInt(next);
  }

  /** Records received and not yet done. */
  get openCount(): number {
    return this.#received.length - this.#head;
  }

  /** Records received, done or not, and not yet released by a commit. */
  get uncommittedCount(): number {
    const committed = this.#committed;
    if (committed === undefined) return this.#received.length;
    return this.#received.filter((offset) => offset >= committed).length;
  }

  #isOpen(offset: bigint): boolean {
    if (this.#done.has(offset)) return false;
    for (let i = this.#head; i < this.#received.length; i += 1) {
      if (this.#received[i] === offset) return true;
    }
    return false;
  }
}
