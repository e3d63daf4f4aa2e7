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

/**
 * Every field of a session row but its sign, in the order they are encoded (moduleTimeMs in its
 * own key order, as the Avro map is written): two rows with the same key are the same row.
 */
function sessionKey(row: SessionRow): string {
  return JSON.stringify([
    row.tenant,
    row.userId,
    row.sessionId,
    row.accountId,
    row.day,
    row.startedAt,
    row.endedAt,
    row.durationMs,
    row.events,
    row.moduleTimeMs,
  ]);
}

/** What the warehouse sums time by (`time_daily`: every column of a time slice but ms and sign). */
function timeKey(row: TimeSliceRow): string {
  return JSON.stringify([row.tenant, row.userId, row.accountId, row.day, row.module, row.product]);
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
 * Every sum downstream is therefore the same as with the rows one by one. Rows are emitted in the
 * order their key first appeared.
 */
export class NetRows {
  #sessions = new Map<string, SessionCount>();
  #time = new Map<string, TimeSum>();

  /** Session and time outputs join the net; activity and late rows are facts, never netted. */
  add(outputs: readonly SessionizerOutput[]): void {
    for (const output of outputs) {
      if (output.kind === 'session') {
        const row = output.row;
        const key = sessionKey(row);
        const entry = this.#sessions.get(key);
        if (entry === undefined) this.#sessions.set(key, { row, count: row.sign });
        else entry.count += row.sign;
      } else if (output.kind === 'time') {
        const row = output.row;
        const key = timeKey(row);
        const entry = this.#time.get(key);
        if (entry === undefined) this.#time.set(key, { row, ms: row.sign * row.ms });
        else entry.ms += row.sign * row.ms;
      }
    }
  }

  /** Keys held (for a test or a gauge): sessions and time contexts, cancelled ones included. */
  get size(): number {
    return this.#sessions.size + this.#time.size;
  }

  /** The net rows since the last call (nothing cancelled is in them); the net starts empty again. */
  take(): NettedRows {
    const sessions: SessionRow[] = [];
    for (const { row, count } of this.#sessions.values()) {
      if (count === 0) continue;
      const sign = signOf(count);
      const netted = row.sign === sign ? row : { ...row, sign };
      for (let n = Math.abs(count); n > 0; n -= 1) sessions.push(netted);
    }
    const time: TimeSliceRow[] = [];
    for (const { row, ms } of this.#time.values()) {
      if (ms === 0) continue;
      const sign = signOf(ms);
      time.push(
        row.sign === sign && row.ms === Math.abs(ms) ? row : { ...row, ms: Math.abs(ms), sign },
      );
    }
    this.#sessions = new Map();
    this.#time = new Map();
    return { sessions, time };
  }
}
