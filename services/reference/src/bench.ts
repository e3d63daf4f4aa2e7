/**
 * Times the reference on 1 million lines: `npm run bench -w @cs/reference [-- FILE]`. Without FILE
 * it synthesises a usage-heavy workload in memory (two tenants, one non-UTC), so it needs nothing
 * but this package; with FILE (e.g. from `cs generate`) it times that file instead.
 */
import { readFileSync } from 'node:fs';
import { computeReference } from './reference.js';

const LINES = 1_000_000;
const TENANTS = {
  acme: { timezone: 'Europe/Berlin', timeoutMinutes: 30 },
  globex: { timezone: 'UTC', timeoutMinutes: 30 },
};
const START = Date.parse('2026-01-01T00:00:00Z');

/** A small deterministic PRNG (mulberry32), so every run times the same bytes. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function* syntheticLines(count: number): Generator<string> {
  const next = random(7);
  const modules = ['reports', 'billing', 'admin', 'search'];
  for (let i = 0; i < count; i++) {
    const tenant = i % 2 === 0 ? 'acme' : 'globex';
    const user = Math.floor(next() * 5_000);
    const account = user % 500;
    const ts = START + Math.floor(next() * 90 * 86_400_000);
    if (i % 1000 === 0) {
      yield JSON.stringify({
        type: 'subscription',
        id: `s${i}`,
        tenant,
        ts,
        subscriptionId: `sub-${account}`,
        accountId: `acc-${account}`,
        action: 'start',
        amount: (next() * 1000).toFixed(2),
      });
      continue;
    }
    if (i % 1000 === 1) {
      yield JSON.stringify({
        type: 'account',
        id: `a${i}`,
        tenant,
        ts,
        accountId: `acc-${account}`,
        parentId: account < 50 ? null : `acc-${account % 50}`,
      });
      continue;
    }
    yield JSON.stringify({
      type: 'usage',
      id: `u${i}`,
      tenant,
      ts,
      accountId: `acc-${account}`,
      userId: `user-${user}`,
      module: modules[i % modules.length],
      feature: i % 3 === 0 ? 'export' : undefined,
    });
  }
}

const file = process.argv[2];
const lines =
  file === undefined ? [...syntheticLines(LINES)] : readFileSync(file, 'utf8').split('\n');
const started = performance.now();
const reference = computeReference(lines, TENANTS, { asOf: '2026-03-31' });
const computed = performance.now();
for (const tenant of reference.tenants) {
  reference.module_usage(tenant, '2026-03-01', '2026-03-31');
  reference.user_activity(tenant, '2026-03-31');
  reference.account_financials(tenant, '2026-03-31');
}
const queried = performance.now();
const seconds = (computed - started) / 1000;
process.stdout.write(
  `${lines.length} lines: computeReference ${seconds.toFixed(1)} s (${Math.round(lines.length / seconds)} lines/s), ` +
    `parameterised views ${((queried - computed) / 1000).toFixed(1)} s; ` +
    `${reference.sessions.length} sessions, ${reference.daily_activity.length} tenant-days, ` +
    `heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB\n`,
);
