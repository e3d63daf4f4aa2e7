import type { TopicPartition } from '../consumer/in-flight.js';
import type { SourceRecord } from '../consumer/outcome.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

interface Held<State> {
  readonly state: State;
  /** The group generation in which this state was last checked against the input position. */
  generation: number;
  /** Offset of the last input record handled; undefined right after a restore. */
  lastHandled: bigint | undefined;
}

export interface PartitionStatesOptions<State> {
  /** The input topic whose partitions own the states. */
  readonly topic: string;
  readonly create: (partition: number) => State;
  /** Reads the changelog partition of the same number into `state` (restoreChangelogPartition). */
  readonly restore: (partition: number, state: State) => Promise<void>;
  readonly logger: Logger;
  readonly onRestored?: (partition: number, state: State) => void;
}

/**
 * The in-memory state of each input partition this member holds, and when to (re)read it from its
 * changelog. The state reflects every record handled so far, uncommitted ones included; it equals
 * the committed changelog exactly when the shell goes on with the next offset. So it is restored,
 * before the record is handled, when:
 *  - the partition has no state here (first assignment, or it came back after a revoke);
 *  - a record arrives at or below the last one handled: a delivery failed and the shell redelivers
 *    from the committed offset, so the state carries aborted work;
 *  - in a new group generation, the first record is not the one after the last handled: another
 *    owner may have moved the partition on meanwhile (a gap may also be a transaction marker: a
 *    needless but correct restore, at most once per generation).
 *
 * NOTE: the restore runs inside the shell's handler, after the shell re-initialised the
 * transactional producers of every partition assigned in this generation (which fences the
 * previous owners and aborts their open transactions): that is what makes the changelog's end
 * final. It blocks the partition, not the group membership: the shell heartbeats while a handler
 * runs, so a restore may take longer than the session timeout (up to its own `timeoutMs`).
 */
export class PartitionStates<State> {
  readonly #held = new Map<number, Held<State>>();
  #generation = 0;

  constructor(private readonly options: PartitionStatesOptions<State>) {}

  /** The consumer shell's `onAssigned`: a new generation; the states of lost partitions go. */
  assigned(partitions: readonly TopicPartition[]): void {
    this.#generation += 1;
    const kept = new Set(
      partitions.filter((tp) => tp.topic === this.options.topic).map((tp) => tp.partition),
    );
    for (const partition of this.#held.keys()) {
      if (!kept.has(partition)) {
        this.#held.delete(partition);
        this.options.logger.info('dropped the state of a revoked partition', {
          topic: this.options.topic,
          partition,
        });
      }
    }
  }

  /** The state to handle `source` with, restored first if need be; undefined: the restore failed. */
  async stateFor(source: SourceRecord): Promise<State | undefined> {
    const offset = BigInt(source.offset);
    let held = this.#held.get(source.partition);
    if (held === undefined || this.#mustRestore(held, offset)) {
      held = await this.#restore(source.partition);
      if (held === undefined) return undefined;
    }
    held.generation = this.#generation;
    return held.state;
  }

  /** The handler finished `source` (whatever its outcome). */
  handled(source: SourceRecord): void {
    const held = this.#held.get(source.partition);
    if (held !== undefined) held.lastHandled = BigInt(source.offset);
  }

  /** The states held, by partition (metrics, tests). */
  states(): ReadonlyMap<number, State> {
    return new Map([...this.#held].map(([partition, held]) => [partition, held.state]));
  }

  #mustRestore(held: Held<State>, offset: bigint): boolean {
    if (held.lastHandled === undefined) return false;
    if (offset <= held.lastHandled) return true;
    return held.generation !== this.#generation && offset !== held.lastHandled + 1n;
  }

  async #restore(partition: number): Promise<Held<State> | undefined> {
    this.#held.delete(partition);
    const state = this.options.create(partition);
    try {
      await this.options.restore(partition, state);
    } catch (error) {
      this.options.logger.error('changelog restore failed', {
        topic: this.options.topic,
        partition,
        error: errorMessage(error),
      });
      return undefined;
    }
    const held: Held<State> = { state, generation: this.#generation, lastHandled: undefined };
    this.#held.set(partition, held);
    this.options.onRestored?.(partition, state);
    return held;
  }
}
