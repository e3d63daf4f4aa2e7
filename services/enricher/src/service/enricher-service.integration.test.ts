/**
 * The enricher against real Kafka and registry: raw account and user records in, hierarchy edges,
 * states, refusals (dead letters) and enriched usage out, read committed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '@cs/runtime';
import { lookupAccountPath } from '../index.js';
import {
  TENANT,
  enricherWorld,
  type EnricherWorld,
  type ReadRecord,
} from './enricher-scenario.test-support.js';
import { HIERARCHY_STEP } from './entity-stages.js';

const worlds: EnricherWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((world) => world.cleanup()));
});

async function eventually<T>(
  probe: () => T,
  check: (value: T) => boolean,
  ms = 60_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (check(value)) return value;
    if (Date.now() > until) throw new Error(`not met within ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const account = (id: string, accountId: string, minute: number, parentId: string | null) => ({
  type: 'account',
  id,
  tenant: TENANT,
  ts: Date.UTC(2026, 2, 1, 10, minute),
  accountId,
  name: `Account ${accountId}`,
  parentId,
});

const user = (id: string, userId: string, accountId: string, role: string) => ({
  type: 'user',
  id,
  tenant: TENANT,
  ts: Date.UTC(2026, 2, 1, 10),
  userId,
  accountId,
  role,
});

function header(record: ReadRecord, name: string): string | undefined {
  const value = record.headers[name];
  return value === undefined ? undefined : String(value);
}

async function edges(w: EnricherWorld): Promise<string[]> {
  const rows = await Promise.all(
    w
      .records(w.catalog.derived['hierarchy-edge'].name)
      .map((record) => w.codec.decode('derived-hierarchy-edge', record.value ?? Buffer.alloc(0))),
  );
  return rows.map((row) => `${row.accountId}→${row.parentId ?? '∅'}`);
}

async function enriched(
  w: EnricherWorld,
): Promise<Record<string, { path: string[]; role: string | null }>> {
  const rows = await Promise.all(
    w
      .records(w.catalog.derived['enriched-usage'].name)
      .map((record) => w.codec.decode('derived-enriched-usage', record.value ?? Buffer.alloc(0))),
  );
  return Object.fromEntries(
    rows.map((row) => [row.eventId, { path: row.accountPath, role: row.role }]),
  );
}

const refusals = (w: EnricherWorld) =>
  w
    .records(w.catalog.deadLetter.name)
    .filter((r) => header(r, DLQ_HEADERS.step) === HIERARCHY_STEP);

/** Polls an async probe until `check` holds. */
async function until<T>(probe: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  let last = await probe();
  const deadline = Date.now() + 60_000;
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`not met: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}

describe('enricher service', () => {
  it('refuses a link that would make a cycle, reports it, and enriches usage with path and role', async () => {
    const w = await enricherWorld('enricher_cycle');
    worlds.push(w);
    // A → B → C: C is the root.
    await w.publish(
      account('c1', 'C', 0, null),
      account('b1', 'B', 1, 'C'),
      account('a1', 'A', 2, 'B'),
    );
    await until(
      () => edges(w),
      (list) => list.length === 3,
    );
    // C → A would close the loop A → B → C → A: refused, C stays a root.
    await w.publish(account('c2', 'C', 3, 'A'), user('u1', 'u1', 'A', 'admin'));

    const [refusal] = await eventually(
      () => refusals(w),
      (list) => list.length === 1,
    );
    expect(refusal?.key).toBe(`${TENANT}/C`);
    expect(header(refusal as ReadRecord, DLQ_HEADERS.topic)).toBe(w.catalog.raw.account.name);
    expect(header(refusal as ReadRecord, DLQ_HEADERS.reason)).toContain('A is a descendant of C');
    const states = await eventually(
      () => w.records(w.catalog.derived['account-state'].name),
      (list) => list.length === 4,
    );
    // The refused record's other fields still apply: its state is published.
    const last = await w.codec.decode(
      'derived-account-state',
      states.at(-1)?.value ?? Buffer.alloc(0),
    );
    expect(last).toMatchObject({ accountId: 'C', parentId: 'A', name: 'Account C' });
    expect(await edges(w)).toEqual(['C→∅', 'B→C', 'A→B']);

    await eventually(
      () => w.service().tables.tenants.get(TENANT)?.users.size ?? 0,
      (n) => n === 1,
    );
    await w.activity({ eventId: 'e1', userId: 'u1', accountId: 'A', feature: 'export' });
    expect(
      await until(
        () => enriched(w),
        (rows) => 'e1' in rows,
      ),
    ).toEqual({
      e1: { path: ['C', 'B', 'A'], role: 'admin' },
    });
    expect(w.records(w.catalog.derived['user-state'].name)).toHaveLength(1);
  });

  it('restores its tables after a restart: cycle checks and enrichment go on where they were', async () => {
    const w = await enricherWorld('enricher_restart');
    worlds.push(w);
    await w.publish(
      account('c1', 'C', 0, null),
      account('b1', 'B', 1, 'C'),
      account('a1', 'A', 2, 'B'),
      user('u1', 'u1', 'A', 'admin'),
    );
    await until(
      () => edges(w),
      (list) => list.length === 3,
    );
    await eventually(
      () => w.records(w.catalog.derived['user-state'].name),
      (l) => l.length === 1,
    );

    const second = await w.restart();
    expect(lookupAccountPath(second.tables, TENANT, 'A')).toEqual(['C', 'B', 'A']);
    // D under A; then B under D would loop B → D → A → B: refused by the restored partition tables.
    await w.publish(account('d1', 'D', 3, 'A'), user('u2', 'u2', 'D', 'viewer'));
    await until(
      () => edges(w),
      (list) => list.length === 4,
    );
    await w.publish(account('b2', 'B', 4, 'D'));
    await eventually(
      () => refusals(w),
      (list) => list.length === 1,
    );

    await eventually(
      () => lookupAccountPath(second.tables, TENANT, 'D').length,
      (n) => n === 4,
    );
    await eventually(
      () => second.tables.tenants.get(TENANT)?.users.size ?? 0,
      (n) => n === 2,
    );
    await w.activity({ eventId: 'e1', userId: 'u1', accountId: 'A' });
    await w.activity({ eventId: 'e2', userId: 'u2', accountId: 'D' });
    expect(
      await until(
        () => enriched(w),
        (rows) => Object.keys(rows).length === 2,
      ),
    ).toEqual({
      e1: { path: ['C', 'B', 'A'], role: 'admin' },
      e2: { path: ['C', 'B', 'A', 'D'], role: 'viewer' },
    });
    expect(await edges(w)).toEqual(['C→∅', 'B→C', 'A→B', 'D→A']);
  });

  it("publishes a user record older than the user's latest too (its day), while the latest stays current", async () => {
    const w = await enricherWorld('enricher_stale_user');
    worlds.push(w);
    const day = (d: number) => Date.UTC(2026, 2, d, 10);
    // The user moved from A to B; its records arrive newest first (different raw partitions can
    // deliver them in any order).
    await w.publish({ ...user('u-new', 'u1', 'B', 'admin'), ts: day(2) });
    await eventually(
      () => w.records(w.catalog.derived['user-state'].name),
      (list) => list.length === 1,
    );
    await w.publish({ ...user('u-old', 'u1', 'A', 'viewer'), ts: day(1) });
    const states = await eventually(
      () => w.records(w.catalog.derived['user-state'].name),
      (list) => list.length === 2,
    );
    const rows = await Promise.all(
      states.map((record) => w.codec.decode('derived-user-state', record.value ?? Buffer.alloc(0))),
    );
    const epochDay = (ms: number) => Math.floor(ms / 86_400_000);
    expect(rows.map((row) => [row.accountId, row.role, row.day])).toEqual([
      ['B', 'admin', epochDay(day(2))],
      ['A', 'viewer', epochDay(day(1))],
    ]);
    expect(states.map((record) => record.key)).toEqual([`${TENANT}/B`, `${TENANT}/A`]);
    // The older record changed nothing: the user is still B's admin.
    await w.activity({ eventId: 'e1', userId: 'u1', accountId: 'B' });
    expect(
      await until(
        () => enriched(w),
        (rows) => 'e1' in rows,
      ),
    ).toEqual({ e1: { path: ['B'], role: 'admin' } });
  });
});
