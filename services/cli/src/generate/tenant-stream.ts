import { Prng, mixSeed } from './prng.js';
import { DAY_MS, IsoTimestamps } from './timestamps.js';

/** The time span a workload covers: `days` UTC days from `startMs` (a UTC midnight). */
export interface Window {
  startMs: number;
  days: number;
  endMs: number;
}

export function makeWindow(startMs: number, days: number): Window {
  return { startMs, days, endMs: startMs + days * DAY_MS };
}

/**
 * Everything one tenant's generation threads through: its own PRNG (derived from the run seed and
 * the tenant's position, so tenants are independent of each other) and its event-id counter.
 */
export class TenantStream {
  readonly rng: Prng;
  readonly iso = new IsoTimestamps();
  private lastId = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    seed: number,
  ) {
    this.rng = new Prng(mixSeed(seed, index));
  }

  /** A fresh event id, unique within the tenant: one counter shared by every record type. */
  nextId(prefix: string): string {
    return prefix + this.nextIdNumber().toString(36);
  }

  /** The number behind the next id, for records rendered later (usage; see Delivery). */
  nextIdNumber(): number {
    this.lastId += 1;
    return this.lastId;
  }
}

/** A rendered record and the instant it describes, before delivery decides when it arrives. */
export interface TimedLine {
  ts: number;
  line: string;
}
