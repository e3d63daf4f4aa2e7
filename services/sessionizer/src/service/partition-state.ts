import { applyEvent, type ApplicableEvent, type ApplyResult } from '../apply-event.js';
import type { SessionizerConfig } from '../config.js';
import { dayNumberOf, localDay } from '../local-day.js';
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

/**
 * One user of the partition, hot or cold. Hot: `state` is the user decoded (the truth) and
 * `encoded` plus `changes` replays to it. Cold: `state` is undefined and the user is only its
 * encoding (a few hundred bytes, against several kB decoded), decoded again on its next event;
 * `changes` is empty and `heldFromDay`/`oldestDay` let the eviction sweep pass it by undecoded.
 */
interface UserEntry {
  /** The user's tenant (one string per tenant and partition), for its config while cold. */
  readonly tenant: string;
  state: UserState | undefined;
  /**
   * The user's encoding, as a latin1 string (one byte per character: a compact heap string, where
   * a Buffer per user would pin a slice of a shared 8 kB pool or of a fetched batch). Hot: as last
   * handed to the changelog (`takeChangelog`, maybe not yet committed), undefined for a user
   * created since. Cold: the user, except `heldFromDay`.
   */
  encoded: string | undefined;
  /**
   * Hot: every change since `encoded` (from a fresh state when it is undefined), in order: `encoded`
   * plus these is `state`, which is how a failed event is rolled back without encoding the user
   * after every event. Cold: empty.
   */
  changes: StateChange[];
  /**
   * Cold: the user's `heldFromDay`. A sweep that releases none of a user's days still moves it
   * (as it moves a hot user's) without changing the encoding, so it is kept beside it.
   */
  heldFromDay: number | null;
  /** Cold: the user's oldest held day, null when it holds none. */
  oldestDay: number | null;
}

/** The `changes` of every cold user: never pushed to (a user is decoded before it changes). */
const NO_CHANGES: StateChange[] = [];

/**
 * Users kept decoded per partition beyond those changed in the current commit unit, the most
 * recently used: a user's events mostly come in sessions, minutes apart.
 */
export const DEFAULT_HOT_USERS = 1_000;

export interface PartitionStateOptions {
  /** Users kept decoded after a commit unit (`DEFAULT_HOT_USERS`); the rest are held encoded. */
  readonly hotUsers?: number;
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
 *
 * Memory: a user is held decoded (hot) while it changes and, after its commit unit, while it is
 * among the `hotUsers` used last; every other user is held as its encoding (cold) and decoded on
 * its next event. Decoding gives back the same state (a restore relies on it), so which users are
 * hot changes no output, only memory and CPU.
 */
export class PartitionState {
  readonly #users = new Map<string, UserEntry>();
  /** Keys of the hot users, least recently used first. */
  readonly #hot = new Set<string>();
  /** Users changed (or deleted) since the last `takeChangelog`. */
  readonly #dirty = new Set<string>();
  /** Session and time outputs since the last `takeNetRows`, netted (not yet delivered). */
  readonly #pending = new NetRows();
  /** One string per tenant, so that cold users do not each keep a copy of it. */
  readonly #tenants = new Map<string, string>();
  /** During a restore: each user's newest held event time, for `finishRestore`. */
  readonly #restoredNewest = new Map<string, number>();
  readonly #hotUsers: number;
  #watermarkTs: number | undefined;
  #sweptHour: number | undefined;
  #decodes = 0;

  constructor(
    private readonly configFor: (tenant: string) => SessionizerConfig,
    options: PartitionStateOptions = {},
  ) {
    this.#hotUsers = options.hotUsers ?? DEFAULT_HOT_USERS;
  }

  get userCount(): number {
    return this.#users.size;
  }

  /** Users held decoded now (see the class comment). */
  get hotUserCount(): number {
    return this.#hot.size;
  }

  /** Cold users decoded since this state was created (for the bench). */
  get decodes(): number {
    return this.#decodes;
  }

  get watermarkTs(): number | undefined {
    return this.#watermarkTs;
  }

  /** One changelog record read during a restore: the last one per key wins, `null` deletes. */
  restoreRecord(key: string, value: Buffer | null): void {
    this.#hot.delete(key);
    if (value === null) {
      this.#users.delete(key);
      this.#restoredNewest.delete(key);
      return;
    }
    const state = decodeUserState(value);
    // NOTE: a copy, as a string: the value is a slice of a whole fetched batch, which it would pin.
    this.#users.set(key, this.#coldEntry(state, value.toString('latin1')));
    const newest = newestHeldTs(state);
    if (newest === undefined) this.#restoredNewest.delete(key);
    else this.#restoredNewest.set(key, newest);
  }

  /** After the last changelog record: recomputes the watermark and the hour swept last. */
  finishRestore(): void {
    let watermark: number | undefined;
    for (const ts of this.#restoredNewest.values()) {
      if (watermark === undefined || ts > watermark) watermark = ts;
    }
    this.#restoredNewest.clear();
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
    const state = this.#hotState(key, entry);
    const changesBefore = entry.changes.length;
    try {
      const result = applyEvent(state, event, config);
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
      if (held === undefined) {
        this.#users.delete(key);
        this.#hot.delete(key);
      } else {
        this.#rollBack(held, changesBefore);
      }
      throw error;
    }
  }

  /**
   * The changelog writes that make the committed state match this one: the encoding of every user
   * changed since the last call, once however many events it took, or `null` (a tombstone) for a
   * user deleted. Called once per commit unit, right before its delivery. Afterwards only the
   * `hotUsers` users used last stay decoded.
   */
  takeChangelog(): ChangelogUpdate[] {
    const updates: ChangelogUpdate[] = [];
    for (const key of this.#dirty) {
      const entry = this.#users.get(key);
      if (entry === undefined) {
        updates.push({ key, value: null });
        continue;
      }
      if (entry.state === undefined) {
        // Cold and changed: a sweep released some of its days and encoded it then.
        updates.push({ key, value: Buffer.from(entry.encoded ?? '', 'latin1') });
        continue;
      }
      const value = encodeUserState(entry.state);
      entry.encoded = value.toString('latin1');
      entry.changes = [];
      updates.push({ key, value });
    }
    this.#dirty.clear();
    this.#coolDown();
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

  /** The user decoded (decoding it if it is cold), marked as used last. */
  #hotState(key: string, entry: UserEntry): UserState {
    this.#hot.delete(key);
    this.#hot.add(key);
    if (entry.state !== undefined) return entry.state;
    const state = this.#decodeCold(entry);
    entry.state = state;
    entry.changes = [];
    return state;
  }

  #decodeCold(entry: UserEntry): UserState {
    if (entry.encoded === undefined) throw new Error('a cold user without its encoding');
    this.#decodes += 1;
    const state = decodeUserState(Buffer.from(entry.encoded, 'latin1'));
    state.heldFromDay = entry.heldFromDay;
    return state;
  }

  #coldEntry(state: UserState, encoded: string): UserEntry {
    return {
      tenant: this.#tenant(state.tenant),
      state: undefined,
      encoded,
      changes: NO_CHANGES,
      heldFromDay: state.heldFromDay,
      oldestDay: state.days[0]?.dayNumber ?? null,
    };
  }

  #tenant(tenant: string): string {
    const known = this.#tenants.get(tenant);
    if (known !== undefined) return known;
    this.#tenants.set(tenant, tenant);
    return tenant;
  }

  /** Encodes nothing: only users whose encoding is up to date (none changed since) turn cold. */
  #coolDown(): void {
    if (this.#hot.size <= this.#hotUsers) return;
    for (const key of this.#hot) {
      if (this.#hot.size <= this.#hotUsers) break;
      this.#hot.delete(key);
      const entry = this.#users.get(key);
      const state = entry?.state;
      if (entry === undefined || state === undefined) continue;
      if (entry.encoded === undefined || entry.changes.length > 0 || this.#dirty.has(key)) {
        throw new Error(`user ${key} turned cold with changes not encoded`);
      }
      entry.heldFromDay = state.heldFromDay;
      entry.oldestDay = state.days[0]?.dayNumber ?? null;
      entry.state = undefined;
      entry.changes = NO_CHANGES;
    }
  }

  /** Rebuilds `entry.state` from its last encoding and its first `keep` changes since. */
  #rollBack(entry: UserEntry, keep: number): void {
    const tenant = entry.tenant;
    const config = this.configFor(tenant);
    const changes = entry.changes.slice(0, keep);
    const state =
      entry.encoded === undefined
        ? createUserState(tenant, entry.state?.userId ?? '')
        : decodeUserState(Buffer.from(entry.encoded, 'latin1'));
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
    return {
      tenant: this.#tenant(event.tenant),
      state,
      encoded: undefined,
      changes,
      heldFromDay: null,
      oldestDay: null,
    };
  }

  #sweepIfNewHour(): void {
    const watermark = this.#watermarkTs;
    if (watermark === undefined) return;
    const hour = Math.floor(watermark / HOUR_MS);
    if (this.#sweptHour !== undefined && hour <= this.#sweptHour) return;
    this.#sweptHour = hour;
    const dayByTenant = new Map<string, string>();
    for (const [key, entry] of this.#users) {
      const config = this.configFor(entry.tenant);
      let day = dayByTenant.get(entry.tenant);
      if (day === undefined) {
        day = localDay(watermark, config.timeZone);
        dayByTenant.set(entry.tenant, day);
      }
      if (entry.state === undefined) {
        this.#sweepCold(key, entry, day, config);
        continue;
      }
      const { evictedDays } = evictDays(entry.state, day, config);
      if (entry.state.days.length === 0) {
        this.#users.delete(key);
        this.#hot.delete(key);
        this.#dirty.add(key);
      } else if (evictedDays.length > 0) {
        entry.changes.push({ kind: 'evict', localDay: day });
        this.#dirty.add(key);
      }
    }
  }

  /**
   * The sweep of a cold user, as `evictDays` would do it to the user decoded: most users have no
   * day to release (only `heldFromDay` moves); one that has is decoded, released and encoded again
   * at once (it stays cold, changed: `takeChangelog` hands that encoding on), so a sweep that
   * releases a day of every user does not decode them all at the same time.
   */
  #sweepCold(key: string, entry: UserEntry, day: string, config: SessionizerConfig): void {
    const fromDay = dayNumberOf(day) - config.horizonDays + 1;
    if (entry.oldestDay !== null && entry.oldestDay >= fromDay) {
      if (entry.heldFromDay === null || entry.heldFromDay < fromDay) entry.heldFromDay = fromDay;
      return;
    }
    this.#dirty.add(key);
    if (entry.oldestDay === null) {
      this.#users.delete(key);
      return;
    }
    const state = this.#decodeCold(entry);
    evictDays(state, day, config);
    if (state.days.length === 0) {
      this.#users.delete(key);
      return;
    }
    entry.encoded = encodeUserState(state).toString('latin1');
    entry.heldFromDay = state.heldFromDay;
    entry.oldestDay = state.days[0]?.dayNumber ?? null;
  }

  /** Encoded bytes of every user as last encoded (for sizing; not on the hot path). */
  encodedSizes(): number[] {
    return [...this.#users.values()].map((entry) => entry.encoded?.length ?? 0);
  }
}
