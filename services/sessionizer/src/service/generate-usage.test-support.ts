import { prng } from '@cs/infra/testing';
import type { UsageInput } from './sessionizer.test-support.js';

export { prng };

const MODULES = ['Reports', 'Billing', 'Admin', undefined] as const;

/**
 * `perUser` events for each of `users` users (two tenants, UTC and Europe/Paris), in time order per
 * user, spread over two days from 2026-03-01 20:00 UTC with gaps of 1–50 minutes (so sessions
 * break, and cross local midnight), and ~5% duplicates (an earlier event sent again). All events
 * stay inside the held horizon, so none is late and any arrival order nets to the same figures.
 */
export function generateUsage(users: number, perUser: number, seed = 1): UsageInput[] {
  const random = prng(seed);
  const start = Date.parse('2026-03-01T20:00:00.000Z');
  const out: UsageInput[] = [];
  for (let u = 0; u < users; u += 1) {
    let ts = start + Math.floor(random() * 3_600_000);
    const tenant = u % 3 === 2 ? 't2' : 't1';
    const mine: UsageInput[] = [];
    for (let n = 0; n < perUser; n += 1) {
      ts += 60_000 + Math.floor(random() * 49 * 60_000);
      const module = MODULES[Math.floor(random() * MODULES.length)];
      const event: UsageInput = {
        id: `u${u}-e${n}`,
        tenant,
        userId: `user${u}`,
        accountId: `acc${u % 4}`,
        ts,
        ...(module === undefined ? {} : { module }),
        ...(random() < 0.3 ? { feature: 'export' } : {}),
      };
      mine.push(event);
      const again = mine[Math.floor(random() * mine.length)];
      if (random() < 0.05 && again !== undefined) mine.push({ ...again });
    }
    out.push(...mine);
  }
  return out;
}

/** Interleaves users' events round-robin (per-user order kept), as producers would. */
export function interleave(events: readonly UsageInput[]): UsageInput[] {
  const byUser = new Map<string, UsageInput[]>();
  for (const event of events) {
    const list = byUser.get(event.userId) ?? [];
    list.push(event);
    byUser.set(event.userId, list);
  }
  const queues = [...byUser.values()];
  const out: UsageInput[] = [];
  for (let i = 0; out.length < events.length; i += 1) {
    for (const queue of queues) {
      const event = queue[i];
      if (event !== undefined) out.push(event);
    }
  }
  return out;
}

/** Shuffles each user's events (Fisher–Yates, seeded), keeping the users interleaved. */
export function shufflePerUser(events: readonly UsageInput[], seed = 7): UsageInput[] {
  const random = prng(seed);
  const copy = [...events];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = copy[i];
    const b = copy[j];
    if (a === undefined || b === undefined) continue;
    copy[i] = b;
    copy[j] = a;
  }
  return copy;
}
