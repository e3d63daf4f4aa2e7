import {
  CsError,
  errorMessage,
  outcome,
  type HandlerOutcome,
  type Logger,
  type OutputRecord,
  type RecordHandler,
  type TopicPartition,
} from '@cs/runtime';
import type { UsageRecord } from '@cs/schemas';
import type { SessionizerConfig } from '../config.js';
import { factRecords, nettedRecords, type OutputEncoding } from './output-records.js';
import { PartitionState } from './partition-state.js';

export type UsageHandlerErrorCode = 'STATE_DROPPED_BEFORE_DELIVERY';

/** Reads changelog partition `partition` into `state` (restoreChangelogPartition of @cs/runtime). */
export type RestorePartition = (partition: number, state: PartitionState) => Promise<void>;

interface HeldPartition {
  readonly state: PartitionState;
  /** The generation in which this state was last checked against the input position. */
  generation: number;
  /** Offset of the last input record applied; undefined right after a restore. */
  lastHandled: bigint | undefined;
}

export interface UsageHandlerHooks {
  onApplied?: (result: 'applied' | 'duplicate' | 'late') => void;
  onRestored?: (partition: number, users: number) => void;
}

/**
 * The sessionizer's consumer-shell handler and the states of the partitions it holds.
 *
 * When is a partition's in-memory state trusted? It reflects every record handled so far, the
 * uncommitted ones included; it matches the committed changelog exactly when the shell goes on with
 * the next offset. So the state is (re)read from the changelog, before the record is applied, when:
 *  - the partition has no state here (first assignment, or it came back after a revoke);
 *  - a record arrives at or below the last one handled: a delivery failed and the shell is
 *    redelivering from the committed offset, so the states carry aborted work;
 *  - in a new group generation, the first record is not the one right after the last handled:
 *    this member may have been out of the group unaware, and another owner moved the partition on
 *    (a gap can also be an input transaction marker or a dead letter: a needless but correct
 *    restore, once per generation).
 * Revoked partitions' states are dropped at once (`assigned`).
 *
 * NOTE: the restore runs inside the shell's handler, after the shell re-initialised the
 * transactional producers of every partition assigned in this generation (which fences the
 * previous owners and aborts their open transactions): that is what makes the changelog's end
 * final. The shell heartbeats while a handler runs, so a restore may outlast the session timeout.
 */
export class UsageHandler {
  readonly #partitions = new Map<number, HeldPartition>();
  /** Partitions whose state was dropped before its changes were delivered (see changelogFor). */
  readonly #droppedWhileChanged = new Set<number>();
  #generation = 0;

  constructor(
    private readonly options: {
      readonly usageTopic: string;
      readonly changelogTopic: string;
      readonly encoding: OutputEncoding;
      readonly configFor: (tenant: string) => SessionizerConfig;
      readonly restore: RestorePartition;
      readonly logger: Logger;
      /** Users kept decoded per partition (PartitionState's `hotUsers`). */
      readonly hotUsers?: number;
      readonly hooks?: UsageHandlerHooks;
    },
  ) {}

  /** The consumer shell's `onAssigned`: a new generation; drop what this member lost. */
  assigned(partitions: readonly TopicPartition[]): void {
    this.#generation += 1;
    const kept = new Set(
      partitions.filter((tp) => tp.topic === this.options.usageTopic).map((tp) => tp.partition),
    );
    for (const [partition, held] of this.#partitions) {
      if (!kept.has(partition)) {
        if (held.state.changedUserCount > 0) this.#droppedWhileChanged.add(partition);
        this.#partitions.delete(partition);
        this.options.logger.info('dropped the state of a revoked partition', { partition });
      }
    }
  }

  /** Users held per partition (for metrics and the bench). */
  userCounts(): Map<number, number> {
    return new Map([...this.#partitions].map(([p, held]) => [p, held.state.userCount]));
  }

  partitionState(partition: number): PartitionState | undefined {
    return this.#partitions.get(partition)?.state;
  }

  readonly handle: RecordHandler<UsageRecord> = async ({ data, source }) => {
    const offset = BigInt(source.offset);
    let held = this.#partitions.get(source.partition);
    if (held === undefined || this.#mustRestore(held, offset)) {
      const restored = await this.#restore(source.partition);
      if (restored === undefined) {
        return outcome.retry(`restoring the state of partition ${source.partition} failed`);
      }
      held = restored;
    }
    held.generation = this.#generation;

    const { result, rendered } = held.state.apply(data, (applied) =>
      factRecords(applied.outputs, data, this.options.encoding),
    );
    held.lastHandled = offset;
    this.options.hooks?.onApplied?.(result.outcome);
    // The event's session and time rows, netted, and the changelog records of the users it changed
    // follow with the unit (changelogFor).
    return outcome.ok(rendered) satisfies HandlerOutcome;
  };

  /**
   * The consumer shell's `beforeDeliver`, for the unit about to be delivered: its session and time
   * rows, netted (a correction and what it retracts within the unit cancel, see NetRows) and only
   * then encoded; and its changelog records — each user the unit changed, encoded once, or its
   * tombstone. Both are taken from the partition's state, so when the delivery fails they are
   * dropped with it (the state is read back from the changelog before the records are redelivered).
   *
   * NOTE: kafkajs rejoins the group (and calls `assigned`) only after every batch of the fetch has
   * returned, so a partition's state is never dropped between its records and their delivery. If it
   * ever were, the unit must not commit outputs without their state: that is a delivery failure.
   */
  readonly changelogFor = (tp: TopicPartition): OutputRecord[] => {
    if (tp.topic !== this.options.usageTopic) return [];
    const held = this.#partitions.get(tp.partition);
    if (held === undefined) {
      if (!this.#droppedWhileChanged.has(tp.partition)) return [];
      throw new CsError<UsageHandlerErrorCode>(
        'STATE_DROPPED_BEFORE_DELIVERY',
        `the state of partition ${tp.partition} was dropped with changes not yet delivered`,
        { retriable: true },
      );
    }
    const records = nettedRecords(held.state.takeNetRows(), this.options.encoding);
    for (const update of held.state.takeChangelog()) {
      records.push({
        topic: this.options.changelogTopic,
        key: update.key,
        value: update.value,
        // NOTE: changelog partition n belongs to input partition n, whatever the key hashes to:
        // only this partition's transactional producer ever writes it (see the restore).
        partition: tp.partition,
      });
    }
    return records;
  };

  #mustRestore(held: HeldPartition, offset: bigint): boolean {
    if (held.lastHandled === undefined) return false;
    if (offset <= held.lastHandled) return true;
    return held.generation !== this.#generation && offset !== held.lastHandled + 1n;
  }

  async #restore(partition: number): Promise<HeldPartition | undefined> {
    this.#partitions.delete(partition);
    this.#droppedWhileChanged.delete(partition);
    const state = new PartitionState(
      this.options.configFor,
      this.options.hotUsers === undefined ? {} : { hotUsers: this.options.hotUsers },
    );
    try {
      await this.options.restore(partition, state);
    } catch (error) {
      this.options.logger.error('changelog restore failed', {
        partition,
        error: errorMessage(error),
      });
      return undefined;
    }
    state.finishRestore();
    const held: HeldPartition = { state, generation: this.#generation, lastHandled: undefined };
    this.#partitions.set(partition, held);
    this.options.hooks?.onRestored?.(partition, state.userCount);
    return held;
  }
}
