import { applyEvent, type ApplicableEvent, type ApplyResult } from '../apply-event.js';
import type { SessionizerConfig } from '../config.js';
import { localDay } from '../local-day.js';
import { decodeUserState, encodeUserState } from '../state-codec.js';
import { createUserState, evictDays, type UserState } from '../user-state.js';
import { NetRows, type NettedRows } from './net-rows.js';

const HOUR_MS = 3_600_000;

/** A changelog write: the user's encoded state, or `null` (a tombstone: the user is forgotten). */
export interface ChangelogUpdate {
  readonly key: string;
  readonly value: Buffer | null;
}

/** What changed a user's state since its last encoding, replayed on it to roll a failed event back. */
type StateChange =
  | { readonly kind: 'event'; readonly event: ApplicableEvent }
  | { readonly kind: 'evict'; readonly localDay: string };

interface UserEntry {
  state: UserState;
  /**
   * The encoding of the user as last handed to the changelog (`takeChangelog`, maybe not yet
   * committed); undefined for a user created since.
   */
  encoded: Buffer | undefined;
  /**
   * Every change since `encoded` (from a fresh state when it is undefined), in order: `encoded`
   * plus these is `state`, which is how a failed event is rolled back without encoding the user
   * after every event.
   */
  changes: StateChange[];
}

export function userKey(tenant: string, userId: string): string {
  return `${tenant}/${userId}`;
}

/** The newest held event time of a user (its newest held day's last event), if any. */
function newestHeldTs(state: UserState): number | undefined {
  return state.days.at(-1)?.ts.at(-1);
}

/**
 * The sessionizer state of one input partition: every user of it with held days, and the
 * partition's event-time watermark (the newest `ts` of an event that is held).
 *
 * Eviction is a function of the events alone, so a restored partition behaves exactly like one
 * that never stopped: whenever the watermark enters a new UTC hour, each user's days before its
 * tenant-local "watermark day − horizonDays + 1" are released, and a user left with no held day
 * is deleted (a changelog tombstone). The watermark and the last swept hour are not stored: after
 * a restore they are recomputed from the states (the event that set the watermark is always held,
 * its day being the newest one).
 */
export class PartitionState {
  readonly #users = new Map<string, UserEntry>();
  /** Users changed (or deleted) since the last `takeChangelog`. */
  readonly #dirty = new Set<string>();
  /** Session and time outputs since the last `takeNetRows`, netted (not yet delivered). */
  readonly #pending = new NetRows();
  #watermarkTs: number | undefined;
  #sweptHour: number | undefined;

  constructor(private readonly configFor: (tenant: string) => SessionizerConfig) {}

  get userCount(): number {
    return this.#users.size;
  }

  get watermarkTs(): number | undefined {
    return this.#watermarkTs;
  }

  /** One changelog record read during a restore: the last one per key wins, `null` deletes. */
  restoreRecord(key: string, value: Buffer | null): void {
    if (value === null) {
      this.#users.delete(key);
      return;
    }
    this.#users.set(key, { state: decodeUserState(value), encoded: value, changes: [] });
  }

  /** After the last changelog record: recomputes the watermark and the hour swept last. */
  finishRestore(): void {
    let watermark: number | undefined;
    for (const { state } of this.#users.values()) {
      const ts = newestHeldTs(state);
      if (ts !== undefined && (watermark === undefined || ts > watermark)) watermark = ts;
    }
    this.#watermarkTs = watermark;
    this.#sweptHour = watermark === undefined ? undefined : Math.floor(watermark / HOUR_MS);
  }

  /**
   * Applies one event to its user and renders the core's result (`render`, e.g. the activity and
   * late rows into output records). The user (and any user an eviction sweep changed) is marked
   * for the next `takeChangelog` (not for a duplicate), and the result's session and time rows join
   * the net of the next `takeNetRows`. If `render` (or anything else) throws after the core
   * mutated the user's state, the user is rolled back to its state before this event before the
   * error propagates, so a retried event is not taken for a duplicate; its rows join nothing.
   */
  apply<T>(
    event: ApplicableEvent,
    render: (result: ApplyResult) => T,
  ): { result: ApplyResult; rendered: T } {
    const key = userKey(event.tenant, event.userId);
    const config = this.configFor(event.tenant);
    const held = this.#users.get(key);
    const entry = held ?? this.#newUser(event, config);
    const changesBefore = entry.changes.length;
    try {
      const result = applyEvent(entry.state, event, config);
      // Rendered before anything else changes: a failure here only needs this user rolled back.
      const rendered = render(result);
      if (result.outcome !== 'duplicate') {
        entry.changes.push({ kind: 'event', event });
        this.#users.set(key, entry);
        this.#dirty.add(key);
      }
      if (result.outcome === 'applied') {
        if (this.#watermarkTs === undefined || event.ts > this.#watermarkTs) {
          this.#watermarkTs = event.ts;
        }
        this.#sweepIfNewHour();
      }
      // Last: nothing can fail after it, so a rolled-back event leaves no rows behind.
      this.#pending.add(result.outputs);
      return { result, rendered };
    } catch (error) {
      if (held === undefined) this.#users.delete(key);
      else this.#rollBack(held, changesBefore);
      throw error;
    }
  }

  /**
   * The changelog writes that make the committed state match this one: the encoding of every user
   * changed since the last call, once however many events it took, or `null` (a tombstone) for a
   * user deleted. Called once per commit unit, right before its delivery.
   */
  takeChangelog(): ChangelogUpdate[] {
    const updates: ChangelogUpdate[] = [];
    for (const key of this.#dirty) {
      const entry = this.#users.get(key);
      if (entry === undefined) {
        updates.push({ key, value: null });
        continue;
      }
      entry.encoded = encodeUserState(entry.state);
      entry.changes = [];
      updates.push({ key, value: entry.encoded });
    }
    this.#dirty.clear();
    return updates;
  }

  /**
   * The session and time rows of the events applied since the last call, netted (see NetRows):
   * what the commit unit delivers in their place. Called once per commit unit, right before its
   * delivery, like `takeChangelog`. NOTE: they live and die with this state: when a delivery fails
   * the state is read back from the changelog into a new PartitionState, and the rows taken here
   * (like the changelog taken) are simply never delivered.
   */
  takeNetRows(): NettedRows {
    return this.#pending.take();
  }

  /** Users changed since the last `takeChangelog`. */
  get changedUserCount(): number {
    return this.#dirty.size;
  }

  /** Rebuilds `entry.state` from its last encoding and its first `keep` changes since. */
  #rollBack(entry: UserEntry, keep: number): void {
    const { tenant, userId } = entry.state;
    const config = this.configFor(tenant);
    const changes = entry.changes.slice(0, keep);
    const state =
      entry.encoded === undefined
        ? createUserState(tenant, userId)
        : decodeUserState(entry.encoded);
    for (const change of changes) {
      if (change.kind === 'event') applyEvent(state, change.event, config);
      else evictDays(state, change.localDay, config);
    }
    entry.state = state;
    entry.changes = changes;
  }

  /**
   * A user seen for the first time (or again after its tombstone) starts with the partition's
   * horizon, so an event older than it is late rather than the start of a fresh, wrong user-day.
   */
  #newUser(event: ApplicableEvent, config: SessionizerConfig): UserEntry {
    const state = createUserState(event.tenant, event.userId);
    const changes: StateChange[] = [];
    if (this.#watermarkTs !== undefined) {
      const horizonDay = localDay(this.#watermarkTs, config.timeZone);
      evictDays(state, horizonDay, config);
      changes.push({ kind: 'evict', localDay: horizonDay });
    }
    return { state, encoded: undefined, changes };
  }

  #sweepIfNewHour(): void {
    const watermark = this.#watermarkTs;
    if (watermark === undefined) return;
    const hour = Math.floor(watermark / HOUR_MS);
    if (this.#sweptHour !== undefined && hour <= this.#sweptHour) return;
    this.#sweptHour = hour;
    for (const [key, entry] of this.#users) {
      const config = this.configFor(entry.state.tenant);
      const day = localDay(watermark, config.timeZone);
      const { evictedDays } = evictDays(entry.state, day, config);
      if (entry.state.days.length === 0) {
        this.#users.delete(key);
        this.#dirty.add(key);
      } else if (evictedDays.length > 0) {
        entry.changes.push({ kind: 'evict', localDay: day });
        this.#dirty.add(key);
      }
    }
  }

  /** Encoded bytes of every user as last taken for the changelog (for sizing; not on the hot path). */
  encodedSizes(): number[] {
    return [...this.#users.values()].map((entry) => entry.encoded?.length ?? 0);
  }
}
