import {
  ACTIVITY_SLOTS,
  FEATURE_SLOTS,
  HEARTBEAT_SLOT,
  MODULES,
  USAGE_PROPERTIES,
} from './catalog.js';
import type { UsageSlot } from './catalog.js';
import type { AccountModel } from './hierarchy.js';
import type { TenantStream } from './tenant-stream.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from './timestamps.js';
import type { UserModel } from './users.js';

/**
 * Receives each generated usage event in encoded form: the user's index, the instant, the id
 * number and a code packing slot, count, properties and account (see `encode`).
 */
export type UsageSink = (user: number, ts: number, id: number, code: number) => void;

// Shape of a session's gaps. Most are well inside the timeout; a few are exactly the timeout
// (which must continue the session) and a few exceed it (which must split it).
const GAP_EXACT_TIMEOUT = 0.03;
const GAP_OVER_TIMEOUT = 0.025;
const GAP_NEAR_TIMEOUT = 0.02;
const MEAN_GAP_MS = 90 * SECOND_MS;
const MEAN_EVENTS_PER_SESSION = 7;
const MAX_EVENTS_PER_SESSION = 60;
const MIDNIGHT_SESSION_SHARE = 0.03;
const WEEKEND_FACTOR = 0.35;

// Every slot in one table, so an event can name its slot by index: heartbeat, then plain activity
// per module, then the features.
const SLOTS: readonly UsageSlot[] = [HEARTBEAT_SLOT, ...ACTIVITY_SLOTS, ...FEATURE_SLOTS.flat()];
const ACTIVITY_BASE = 1;
const FEATURE_BASE: readonly number[] = FEATURE_SLOTS.map(
  (_, m) => 1 + ACTIVITY_SLOTS.length + FEATURE_SLOTS.slice(0, m).reduce((n, f) => n + f.length, 0),
);

/** slot × 16 + count (0: leave out) → × 8 + properties (0: none) → × 2 + moved account. */
function encode(slot: number, count: number, properties: number, moved: boolean): number {
  return ((slot * 16 + count) * 8 + properties) * 2 + (moved ? 1 : 0);
}

/**
 * Usage sessions per user per day. Each user is active on a day with its own probability (lower
 * at weekends), has one to three sessions separated by more than the timeout, and now and then a
 * late-evening session that runs past midnight. Events mostly hit the user's favourite module.
 */
export class UsageGenerator {
  private readonly lastTs: Float64Array;
  private readonly userParts: string[];
  private readonly movedUserParts: string[];
  private readonly tenantPart: string;

  constructor(
    private readonly stream: TenantStream,
    private readonly users: readonly UserModel[],
    accounts: readonly AccountModel[],
    private readonly timeoutMs: number,
  ) {
    this.lastTs = new Float64Array(users.length);
    const part = (user: UserModel, accountIndex: number): string =>
      `","accountId":"${accounts[accountIndex]?.accountId ?? ''}","userId":"${user.userId}"`;
    this.userParts = users.map((user) => part(user, user.accountIndex));
    this.movedUserParts = users.map((user) => part(user, user.movedAccountIndex));
    this.tenantPart = `","tenant":"${stream.name}","ts":"`;
  }

  generateDay(dayStart: number, sink: UsageSink): void {
    const { rng } = this.stream;
    const weekday = new Date(dayStart).getUTCDay();
    const dayFactor = weekday === 0 || weekday === 6 ? WEEKEND_FACTOR : 1;
    const dayEnd = dayStart + DAY_MS;
    const sessionBreak = this.timeoutMs + MINUTE_MS;
    for (let u = 0; u < this.users.length; u++) {
      const user = this.users[u];
      if (!user || user.startTs >= dayEnd || !rng.chance(user.engagement * dayFactor)) continue;
      const sessions = 1 + (rng.chance(0.35) ? 1 : 0) + (rng.chance(0.1) ? 1 : 0);
      let cursor = Math.max(
        dayStart + 7 * HOUR_MS + rng.int(10 * HOUR_MS),
        user.startTs + MINUTE_MS,
        (this.lastTs[u] ?? 0) + sessionBreak + rng.int(30 * MINUTE_MS),
      );
      for (let s = 0; s < sessions && cursor < dayStart + 22 * HOUR_MS; s++) {
        cursor = this.session(u, user, cursor, 0, sink) + sessionBreak + rng.int(3 * HOUR_MS);
      }
      if (rng.chance(MIDNIGHT_SESSION_SHARE)) {
        const start = dayEnd - 40 * MINUTE_MS + rng.int(35 * MINUTE_MS);
        if (start > (this.lastTs[u] ?? 0) + sessionBreak)
          this.session(u, user, start, dayEnd, sink);
      }
    }
  }

  /** The NDJSON line of an encoded event; pure, so a duplicate renders byte-identically. */
  render(user: number, ts: number, id: number, code: number): string {
    const moved = code % 2 === 1;
    const properties = Math.floor(code / 2) % 8;
    const count = Math.floor(code / 16) % 16;
    const slot = SLOTS[Math.floor(code / 256)] ?? HEARTBEAT_SLOT;
    let tail = slot.json;
    if (count > 0) tail += `,"count":${count}`;
    if (properties > 0) tail += USAGE_PROPERTIES[properties - 1] ?? '';
    const userPart = (moved ? this.movedUserParts[user] : this.userParts[user]) ?? '';
    return `{"type":"usage","id":"u-${id.toString(36)}${this.tenantPart}${this.stream.iso.format(ts)}${userPart}${tail}}`;
  }

  /**
   * Emits one session from `start`; with `crossAt` > 0 it keeps going with short gaps until it has
   * passed that instant (midnight) and then stops a few events later. Returns the last event's ts.
   */
  private session(
    u: number,
    user: UserModel,
    start: number,
    crossAt: number,
    sink: UsageSink,
  ): number {
    const { rng } = this.stream;
    const moved = start >= user.moveTs;
    const planned = Math.min(
      MAX_EVENTS_PER_SESSION,
      1 + Math.floor(rng.exponential(MEAN_EVENTS_PER_SESSION)),
    );
    let ts = start;
    let extra = 3;
    for (let e = 0; ; e++) {
      if (crossAt > 0 ? ts >= crossAt && extra-- <= 0 : e >= planned) break;
      if (e > 0) ts += crossAt > 0 ? MINUTE_MS + rng.int(9 * MINUTE_MS) : this.gap();
      sink(u, ts, this.stream.nextIdNumber(), this.eventCode(user, moved));
    }
    this.lastTs[u] = ts;
    return ts;
  }

  private gap(): number {
    const { rng } = this.stream;
    const roll = rng.next();
    if (roll < GAP_EXACT_TIMEOUT) return this.timeoutMs;
    if (roll < GAP_EXACT_TIMEOUT + GAP_OVER_TIMEOUT) {
      return this.timeoutMs + 1 + rng.int(45 * MINUTE_MS);
    }
    if (roll < GAP_EXACT_TIMEOUT + GAP_OVER_TIMEOUT + GAP_NEAR_TIMEOUT) {
      return this.timeoutMs - 1 - rng.int(10 * MINUTE_MS);
    }
    const gap = SECOND_MS + Math.floor(rng.exponential(MEAN_GAP_MS));
    return Math.min(gap, this.timeoutMs - 1);
  }

  /** Picks what the event is: heartbeat, plain activity or a feature use, count and properties. */
  private eventCode(user: UserModel, moved: boolean): number {
    const { rng } = this.stream;
    const roll = rng.next();
    let slot = 0;
    let count = 0;
    if (roll >= 0.04) {
      const moduleIndex = rng.chance(0.65) ? user.favoriteModule : rng.int(MODULES.length);
      if (roll < 0.3) {
        slot = ACTIVITY_BASE + moduleIndex;
      } else {
        slot = (FEATURE_BASE[moduleIndex] ?? 0) + rng.int(FEATURE_SLOTS[moduleIndex]?.length ?? 1);
        // `count` is optional (default 1): leave it out, write 1, or a real multiple use.
        const countRoll = rng.next();
        if (countRoll < 0.15) count = rng.between(2, 12);
        else if (countRoll < 0.4) count = 1;
      }
    }
    const properties = rng.chance(0.1) ? 1 + rng.int(USAGE_PROPERTIES.length) : 0;
    return encode(slot, count, properties, moved);
  }
}
