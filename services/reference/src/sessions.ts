/**
 * Sessions and time (CONTRACT §2): one user's usage events ordered by (`ts`, `id`); a gap of at
 * most the timeout on the same local day continues the session. Each gap's time belongs to the
 * earlier event's account, product and module.
 */
import type { LocatedUsage, TenantFacts } from './tenant-facts.js';

/** A row of `cs.sessions` (netted: the final state, as if no event had arrived late). */
export interface SessionRow {
  readonly tenant: string;
  /**
   * `user_id@started_at`: the pipeline's ids differ, so the e2e comparison keys sessions by
   * (tenant, user_id, started_at) — unique, since a user's sessions never overlap.
   */
  readonly session_id: string;
  /** The account of the session's first event. */
  readonly account_id: string;
  readonly user_id: string;
  readonly day: string;
  readonly started_at: number;
  readonly ended_at: number;
  readonly duration_ms: number;
  readonly events: number;
  /** Module → ms; modules whose gaps add up to 0 ms are left out (a `Map` column drops zeros). */
  readonly module_time_ms: Record<string, number>;
}

/** Time of one gap (or a run of gaps with the same attribution) within a session. */
export interface TimeSlice {
  readonly userId: string;
  readonly accountId: string;
  readonly product: string;
  readonly module: string;
  readonly day: string;
  readonly ms: number;
}

export interface SessionizedTenant {
  readonly sessions: SessionRow[];
  readonly slices: TimeSlice[];
}

function byTsThenId(a: LocatedUsage, b: LocatedUsage): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Splits one user's ordered events into sessions; exported for the worked-example tests. */
export function sessionizeUser(
  tenant: string,
  ordered: readonly LocatedUsage[],
  timeoutMs: number,
  out: SessionizedTenant,
): void {
  let start = 0;
  for (let index = 1; index <= ordered.length; index++) {
    const previous = ordered[index - 1];
    const current = ordered[index];
    const continues =
      current !== undefined &&
      previous !== undefined &&
      current.day === previous.day &&
      current.ts - previous.ts <= timeoutMs;
    if (!continues) {
      emitSession(tenant, ordered.slice(start, index), out);
      start = index;
    }
  }
}

function emitSession(
  tenant: string,
  events: readonly LocatedUsage[],
  out: SessionizedTenant,
): void {
  const first = events[0];
  const last = events[events.length - 1];
  if (first === undefined || last === undefined) return;
  const moduleTime: Record<string, number> = {};
  const slices = new Map<string, TimeSlice>();
  for (let index = 1; index < events.length; index++) {
    const earlier = events[index - 1];
    const later = events[index];
    if (earlier === undefined || later === undefined) continue;
    const ms = later.ts - earlier.ts;
    if (ms === 0) continue;
    moduleTime[earlier.module] = (moduleTime[earlier.module] ?? 0) + ms;
    const key = `${earlier.accountId}\u0000${earlier.product}\u0000${earlier.module}`;
    const slice = slices.get(key);
    slices.set(key, {
      userId: first.userId,
      accountId: earlier.accountId,
      product: earlier.product,
      module: earlier.module,
      day: first.day,
      ms: (slice?.ms ?? 0) + ms,
    });
  }
  out.slices.push(...slices.values());
  out.sessions.push({
    tenant,
    session_id: `${first.userId}@${first.ts}`,
    account_id: first.accountId,
    user_id: first.userId,
    day: first.day,
    started_at: first.ts,
    ended_at: last.ts,
    duration_ms: last.ts - first.ts,
    events: events.length,
    module_time_ms: moduleTime,
  });
}

/** All sessions and time slices of a tenant. */
export function sessionizeTenant(facts: TenantFacts): SessionizedTenant {
  const byUser = new Map<string, LocatedUsage[]>();
  for (const event of facts.usage) {
    const events = byUser.get(event.userId);
    if (events === undefined) byUser.set(event.userId, [event]);
    else events.push(event);
  }
  const out: SessionizedTenant = { sessions: [], slices: [] };
  const timeoutMs = facts.settings.timeoutMinutes * 60_000;
  for (const events of byUser.values()) {
    events.sort(byTsThenId);
    sessionizeUser(facts.tenant, events, timeoutMs, out);
  }
  return out;
}
