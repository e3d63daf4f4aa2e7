import type { SessionRow, SessionizerOutput, Sign, TimeSliceRow } from '../outputs.js';

/** The signed rows a commit unit delivers once its corrections are netted (see NetRows). */
export interface NettedRows {
  readonly sessions: SessionRow[];
  readonly time: TimeSliceRow[];
}

interface SessionCount {
  readonly row: SessionRow;
  count: number;
}

interface TimeSum {
  readonly row: TimeSliceRow;
  ms: number;
}

/** Module times as the Avro map is written: the same modules, in the same order, the same ms. */
function sameModuleTimes(a: Record<string, number>, b: Record<string, number>): boolean {
  if (a === b) return true;
  const modules = Object.keys(a);
  const others = Object.keys(b);
  if (modules.length !== others.length) return false;
  for (let i = 0; i < modules.length; i += 1) {
    const module = modules[i];
    if (module === undefined || module !== others[i] || a[module] !== b[module]) return false;
  }
  return true;
}

/** Every field but the sign: the same row. */
function sameSession(a: SessionRow, b: SessionRow): boolean {
  return (
    a.sessionId === b.sessionId &&
    a.events === b.events &&
    a.endedAt === b.endedAt &&
    a.startedAt === b.startedAt &&
    a.durationMs === b.durationMs &&
    a.tenant === b.tenant &&
    a.userId === b.userId &&
    a.accountId === b.accountId &&
    a.day === b.day &&
    sameModuleTimes(a.moduleTimeMs, b.moduleTimeMs)
  );
}

/** The key `time_daily` sums `sign * ms` by: every column of a time slice but ms and sign. */
function sameContext(a: TimeSliceRow, b: TimeSliceRow): boolean {
  return (
    a.module === b.module &&
    a.accountId === b.accountId &&
    a.product === b.product &&
    a.day === b.day &&
    a.userId === b.userId &&
    a.tenant === b.tenant
  );
}

const signOf = (n: number): Sign => (n > 0 ? 1 : -1);

/**
 * The session and time rows of one commit unit, netted before they are encoded and delivered.
 *
 * Downstream only ever sums these rows by sign (the warehouse's `sessions`, `sessions_daily` and
 * `time_daily`), and a unit is delivered entirely or not at all, so within a unit:
 *  - a session row and its exact retraction cancel: per session content (every field but the
 *    sign) the signs are summed, and the row is emitted that many times with the sum's sign
 *    (normally once: an in-order run of appends nets to one −1 of the session the unit started
 *    with and one +1 of the one it ends with);
 *  - time is summed per (tenant, user, account, day, module, product), the key `time_daily` sums
 *    `sign * ms` by: one row per key with `ms` = |net| and the net's sign, none when it is 0.
 * Every sum downstream is therefore the same as with the rows one by one. The order of the rows
 * within a unit means nothing downstream.
 */
export class NetRows {
  /** By session id, the distinct rows of that session and their net count (never 0). */
  #sessions = new Map<string, SessionCount[]>();
  /** By user id, the user's time contexts and their net ms (never 0). */
  #time = new Map<string, TimeSum[]>();

  /** Session and time outputs join the net; activity and late rows are facts, never netted. */
  add(outputs: readonly SessionizerOutput[]): void {
    for (const output of outputs) {
      if (output.kind === 'session') this.#addSession(output.row);
      else if (output.kind === 'time') this.#addTime(output.row);
    }
  }

  // NOTE: rows are grouped by an id the row already holds (no key string is built per row: that
  // cost more than the encoding it saves) and told apart by comparing every field; an entry that
  // nets to 0 is removed at once, so a run of appends keeps its session's list at two entries.

  #addSession(row: SessionRow): void {
    const entries = this.#sessions.get(row.sessionId);
    if (entries === undefined) {
      this.#sessions.set(row.sessionId, [{ row, count: row.sign }]);
      return;
    }
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const entry = entries[i];
      if (entry === undefined || !sameSession(entry.row, row)) continue;
      entry.count += row.sign;
      if (entry.count === 0) entries.splice(i, 1);
      return;
    }
    entries.push({ row, count: row.sign });
  }

  #addTime(row: TimeSliceRow): void {
    const entries = this.#time.get(row.userId);
    if (entries === undefined) {
      this.#time.set(row.userId, [{ row, ms: row.sign * row.ms }]);
      return;
    }
    for (let i = 0; i < entries.length; i += 1) {
      const entry = entries[i];
      if (entry === undefined || !sameContext(entry.row, row)) continue;
      entry.ms += row.sign * row.ms;
      if (entry.ms === 0) entries.splice(i, 1);
      return;
    }
    entries.push({ row, ms: row.sign * row.ms });
  }

  /** Rows held: what `take` would return now (a net count above one counting once). */
  get size(): number {
    let size = 0;
    for (const entries of this.#sessions.values()) size += entries.length;
    for (const entries of this.#time.values()) size += entries.length;
    return size;
  }

  /** The net rows since the last call (nothing cancelled is in them); the net starts empty again. */
  take(): NettedRows {
    const sessions: SessionRow[] = [];
    for (const entries of this.#sessions.values()) {
      for (const { row, count } of entries) {
        const sign = signOf(count);
        const netted = row.sign === sign ? row : { ...row, sign };
        for (let n = Math.abs(count); n > 0; n -= 1) sessions.push(netted);
      }
    }
    const time: TimeSliceRow[] = [];
    for (const entries of this.#time.values()) {
      for (const { row, ms } of entries) {
        const sign = signOf(ms);
        time.push(
          row.sign === sign && row.ms === Math.abs(ms) ? row : { ...row, ms: Math.abs(ms), sign },
        );
      }
    }
    this.#sessions = new Map();
    this.#time = new Map();
    return { sessions, time };
  }
}
