import { applyEvent, type ApplicableEvent, type ApplyResult } from '../apply-event.js';
import type { SessionizerConfig } from '../config.js';
import { localDay } from '../local-day.js';
import { decodeUserState, encodeUserState } from '../state-codec.js';
import { createUserState, evictDays, type UserState } from '../user-state.js';

const HOUR_MS = 3_600_000;

/** A changelog write: the user's encoded state, or `null` (a tombstone: the user is forgotten). */
export interface ChangelogUpdate {
  readonly key: string;
  readonly value: Buffer | null;
}

interface UserEntry {
  state: UserState;
  /**
   * The encoding of `state` as last written to the changelog (this unit's, maybe not yet
   * committed): the point a failed event rolls the user back to. Undefined for a new user.
   */
  encoded: Buffer | undefined;
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
    this.#users.set(key, { state: decodeUserState(value), encoded: value });
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
   * Applies one event to its user, renders the core's result (`render`, e.g. into output records)
   * and returns both with the changelog writes that make the committed state match: the user's new
   * encoding (not for a duplicate) and whatever an eviction sweep changed. If `render` (or anything
   * else) throws after the core mutated the user's state, the user is rolled back to its last
   * encoding before the error propagates, so a retried event is not taken for a duplicate.
   */
  apply<T>(
    event: ApplicableEvent,
    render: (result: ApplyResult) => T,
  ): { result: ApplyResult; rendered: T; changelog: ChangelogUpdate[] } {
    const key = userKey(event.tenant, event.userId);
    const config = this.configFor(event.tenant);
    const entry = this.#users.get(key) ?? this.#newUser(event, config);
    const isNew = !this.#users.has(key);
    try {
      const result = applyEvent(entry.state, event, config);
      // Rendered before anything else changes: a failure here only needs this user rolled back.
      const rendered = render(result);
      const changes = new Map<string, Buffer | null>();
      if (result.outcome !== 'duplicate') {
        entry.encoded = encodeUserState(entry.state);
        this.#users.set(key, entry);
        changes.set(key, entry.encoded);
      }
      if (result.outcome === 'applied') {
        if (this.#watermarkTs === undefined || event.ts > this.#watermarkTs) {
          this.#watermarkTs = event.ts;
        }
        this.#sweepIfNewHour(changes);
      }
      const changelog = [...changes].map(([changedKey, value]) => ({ key: changedKey, value }));
      return { result, rendered, changelog };
    } catch (error) {
      if (entry.encoded === undefined || isNew) this.#users.delete(key);
      else entry.state = decodeUserState(entry.encoded);
      throw error;
    }
  }

  /**
   * A user seen for the first time (or again after its tombstone) starts with the partition's
   * horizon, so an event older than it is late rather than the start of a fresh, wrong user-day.
   */
  #newUser(event: ApplicableEvent, config: SessionizerConfig): UserEntry {
    const state = createUserState(event.tenant, event.userId);
    if (this.#watermarkTs !== undefined) {
      evictDays(state, localDay(this.#watermarkTs, config.timeZone), config);
    }
    return { state, encoded: undefined };
  }

  #sweepIfNewHour(changes: Map<string, Buffer | null>): void {
    const watermark = this.#watermarkTs;
    if (watermark === undefined) return;
    const hour = Math.floor(watermark / HOUR_MS);
    if (this.#sweptHour !== undefined && hour <= this.#sweptHour) return;
    this.#sweptHour = hour;
    for (const [key, entry] of this.#users) {
      const config = this.configFor(entry.state.tenant);
      const { evictedDays } = evictDays(entry.state, localDay(watermark, config.timeZone), config);
      if (entry.state.days.length === 0) {
        this.#users.delete(key);
        changes.set(key, null);
      } else if (evictedDays.length > 0) {
        entry.encoded = encodeUserState(entry.state);
        changes.set(key, entry.encoded);
      }
    }
  }

  /** Encoded bytes of every user (for sizing; not on the hot path). */
  encodedSizes(): number[] {
    return [...this.#users.values()].map((entry) => entry.encoded?.length ?? 0);
  }
}
