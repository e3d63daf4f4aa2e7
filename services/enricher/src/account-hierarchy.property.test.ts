import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AccountRecord } from '@cs/schemas';
import { accountPath, applyAccountRecord, refusedAccountRecords } from './account-hierarchy.js';
import { createEnricherState, type AccountEntry, type EnricherState } from './enricher-state.js';
import type { AccountOutput } from './outputs.js';
import { decodeAccountEntry, encodeAccountEntry, restoreAccountEntry } from './state-codec.js';

// ---------------------------------------------------------------------------------------------
// The hierarchy by brute force, sharing no code with the enricher: keep the first delivery of each
// id, sort by (ts, id) and process in that order; a requested parent is refused when it is the
// account itself or in the account's descendant set, grown to a fixpoint over all current links.
// ---------------------------------------------------------------------------------------------

interface Expected {
  parents: Map<string, string | null>;
  refusals: string[];
}

function bruteForce(delivery: readonly AccountRecord[]): Expected {
  const byId = new Map<string, AccountRecord>();
  for (const record of delivery) if (!byId.has(record.id)) byId.set(record.id, record);
  const ordered = [...byId.values()].sort((a, b) =>
    a.ts === b.ts ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.ts - b.ts,
  );
  const parents = new Map<string, string | null>();
  const refusals: string[] = [];
  for (const record of ordered) {
    const current = parents.get(record.accountId) ?? null;
    const wanted = record.parentId;
    if (wanted === null || wanted === current) {
      parents.set(record.accountId, wanted);
      continue;
    }
    const descendants = new Set([record.accountId]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [child, parent] of parents) {
        if (parent !== null && descendants.has(parent) && !descendants.has(child)) {
          descendants.add(child);
          grew = true;
        }
      }
    }
    if (descendants.has(wanted)) {
      refusals.push(`${record.id} ${record.accountId}→${wanted} kept ${current ?? 'root'}`);
      parents.set(record.accountId, current);
    } else {
      parents.set(record.accountId, wanted);
    }
  }
  return { parents, refusals };
}

// ---------------------------------------------------------------------------------------------

const ACCOUNTS = ['A', 'B', 'C', 'D', 'E', 'F'];

const deliveryArbitrary = fc
  .array(
    fc.record({
      accountId: fc.constantFrom(...ACCOUNTS),
      parentId: fc.option(fc.constantFrom(...ACCOUNTS), { freq: 4 }),
      ts: fc.integer({ min: 0, max: 8 }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((drafts) =>
    drafts.map((draft, index): AccountRecord => ({
      id: `e${index}`,
      tenant: 'acme',
      ts: draft.ts,
      accountId: draft.accountId,
      name: null,
      parentId: draft.parentId,
      joinDate: null,
      renewalDate: null,
      source: null,
      attributes: {},
    })),
  )
  .chain((records) =>
    fc.tuple(
      fc.shuffledSubarray(records, { minLength: records.length }),
      fc.array(fc.constantFrom(...records), { maxLength: 5 }),
      fc.nat(),
    ),
  )
  .map(([shuffled, redelivered, restartAt]) => ({
    delivery: [...shuffled, ...redelivered],
    restartAt: restartAt % shuffled.length,
  }));

interface Run {
  state: EnricherState;
  outputs: AccountOutput[];
}

/** Delivers the records one by one, restarting from the encoded changelog after `restartAt`. */
function deliver(
  delivery: readonly AccountRecord[],
  restartAt: number,
  hierarchyHorizonMs?: number,
): Run {
  const options = hierarchyHorizonMs === undefined ? {} : { hierarchyHorizonMs };
  let state = createEnricherState(options);
  const outputs: AccountOutput[] = [];
  delivery.forEach((record, index) => {
    outputs.push(...applyAccountRecord(state, record).outputs);
    if (index === restartAt) {
      // A restart from the changelog, one record per account, in reverse key order.
      const restored = createEnricherState(options);
      const entries = [...(state.tenants.get('acme')?.accounts.values() ?? [])].reverse();
      for (const entry of entries) {
        restoreAccountEntry(restored, decodeAccountEntry(encodeAccountEntry(entry)));
      }
      state = restored;
    }
  });
  return { state, outputs };
}

const reportText = (o: AccountOutput & { type: 'hierarchy-refusal' }) =>
  `${o.row.recordId} ${o.row.accountId}→${o.row.requestedParentId} kept ${o.row.keptParentId ?? 'root'}`;

function reported(outputs: readonly AccountOutput[]): string[] {
  return outputs.flatMap((o) => (o.type === 'hierarchy-refusal' ? [reportText(o)] : []));
}

function expectHierarchy({ state, outputs }: Run, expected: Expected): void {
  const accounts = state.tenants.get('acme')?.accounts ?? new Map<string, AccountEntry>();
  expect(new Map([...accounts].map(([id, entry]) => [id, entry.parentId]))).toEqual(
    expected.parents,
  );
  // The records the hierarchy refuses now: those of the (ts, id)-order run.
  expect(refusedAccountRecords(state, 'acme').map((r) => r.id)).toEqual(
    expected.refusals.map((text) => text.split(' ')[0]),
  );

  // The last edge emitted per account is its final parent (what account_hierarchy keeps).
  const lastEdge = new Map<string, string | null>();
  for (const o of outputs)
    if (o.type === 'hierarchy-edge') lastEdge.set(o.row.accountId, o.row.parentId);
  expect(lastEdge).toEqual(expected.parents);

  // Each record is reported at most once, and every record refused in the end was reported.
  const ids = reported(outputs).map((text) => text.split(' ')[0]);
  expect(new Set(ids).size).toBe(ids.length);
  for (const text of expected.refusals) expect(ids).toContain(text.split(' ')[0]);

  // No cycle: every path walks up to a root without repeating, and ends with the account.
  for (const id of ACCOUNTS) {
    const path = accountPath(state, 'acme', id);
    expect(new Set(path).size).toBe(path.length);
    expect(path.at(-1)).toBe(id);
    for (let i = 1; i < path.length; i += 1) {
      expect(expected.parents.get(path[i] ?? '')).toBe(path[i - 1]);
    }
  }
}

const byTsThenId = (a: AccountRecord, b: AccountRecord) =>
  a.ts === b.ts ? (a.id < b.id ? -1 : 1) : a.ts - b.ts;

describe('applyAccountRecord, property', () => {
  it('any arrival order (with redeliveries and a restart) gives the (ts, id)-order hierarchy and refusals', () => {
    fc.assert(
      fc.property(deliveryArbitrary, ({ delivery, restartAt }) => {
        expectHierarchy(deliver(delivery, restartAt), bruteForce(delivery));
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('in (ts, id) order, exactly the refused records are reported, each once, with its kept parent', () => {
    fc.assert(
      fc.property(deliveryArbitrary, ({ delivery, restartAt }) => {
        const inOrder = [...new Map(delivery.map((r) => [r.id, r])).values()].sort(byTsThenId);
        const run = deliver(inOrder, restartAt % inOrder.length);
        const expected = bruteForce(inOrder);
        expectHierarchy(run, expected);
        expect(reported(run.outputs)).toEqual(expected.refusals);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('two arrival orders of the same records end in the same state', () => {
    fc.assert(
      fc.property(
        deliveryArbitrary,
        fc.infiniteStream(fc.nat()),
        ({ delivery, restartAt }, randoms) => {
          const shuffled = [...delivery];
          for (let i = shuffled.length - 1; i > 0; i -= 1) {
            const j = (randoms.next().value as number) % (i + 1);
            [shuffled[i], shuffled[j]] = [
              shuffled[j] as AccountRecord,
              shuffled[i] as AccountRecord,
            ];
          }
          const parentsOf = (run: Run) =>
            new Map(
              [...(run.state.tenants.get('acme')?.accounts ?? new Map<string, AccountEntry>())].map(
                ([id, entry]) => [id, entry.parentId],
              ),
            );
          const a = deliver(delivery, restartAt);
          const b = deliver(shuffled, -1);
          expect(parentsOf(b)).toEqual(parentsOf(a));
          expect(refusedAccountRecords(b.state, 'acme')).toEqual(
            refusedAccountRecords(a.state, 'acme'),
          );
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// The hierarchy horizon. The model below shares no code with the enricher: it places every
// delivered record (dropping a redelivery whose earlier delivery is still within the horizon), a
// record older than the horizon start (newest ts so far − H) after everything delivered before it
// (at the newest ts, after the in-horizon records of that ts, in arrival order), the others at
// their (ts, id); then runs the brute force above in place order, over the records from the start.
// ---------------------------------------------------------------------------------------------

interface Placed {
  record: AccountRecord;
  placeTs: number;
  lateSeq: number | null;
}

function horizonModel(delivery: readonly AccountRecord[], horizon: number): Placed[] {
  const placed: Placed[] = [];
  let newest: number | null = null;
  const lateCount = new Map<number, number>();
  for (const record of delivery) {
    const start = newest === null ? Number.NEGATIVE_INFINITY : newest - horizon;
    if (placed.some((p) => p.record.id === record.id && p.placeTs >= start)) continue;
    if (newest !== null && record.ts < start) {
      const seq = lateCount.get(newest) ?? 0;
      lateCount.set(newest, seq + 1);
      placed.push({ record, placeTs: newest, lateSeq: seq });
    } else {
      placed.push({ record, placeTs: record.ts, lateSeq: null });
    }
    newest = newest === null ? record.ts : Math.max(newest, record.ts);
  }
  return placed.sort((a, b) => {
    if (a.placeTs !== b.placeTs) return a.placeTs - b.placeTs;
    if (a.lateSeq === null && b.lateSeq === null) return a.record.id < b.record.id ? -1 : 1;
    if (a.lateSeq === null) return -1;
    if (b.lateSeq === null) return 1;
    return a.lateSeq - b.lateSeq;
  });
}

/** The brute force over records already in their replay order (ids made unique per placement). */
function bruteForceInOrder(ordered: readonly Placed[]): Expected {
  // bruteForce sorts by (ts, id): give each placed record a ts and id that keep the given order.
  const renamed = ordered.map((p, index) => ({
    ...p.record,
    ts: index,
    id: `${String(index).padStart(4, '0')}:${p.record.id}`,
  }));
  const expected = bruteForce(renamed);
  return {
    parents: expected.parents,
    refusals: expected.refusals.map((text) => text.replace(/^\d{4}:/, '')),
  };
}

const HORIZON = 5;

/** Records spread over 0…40 (so the horizon of 5 folds), each arriving at most H after its ts. */
const boundedDisorderArbitrary = fc
  .array(
    fc.record({
      accountId: fc.constantFrom(...ACCOUNTS),
      parentId: fc.option(fc.constantFrom(...ACCOUNTS), { freq: 4 }),
      ts: fc.integer({ min: 0, max: 40 }),
      delay: fc.integer({ min: 0, max: HORIZON }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .chain((drafts) =>
    fc.tuple(
      fc.constant(drafts),
      // Redeliveries: an earlier draft index delivered again, with its own delay.
      fc.array(fc.tuple(fc.nat({ max: drafts.length - 1 }), fc.integer({ min: 0, max: HORIZON })), {
        maxLength: 5,
      }),
      fc.nat(),
    ),
  )
  .map(([drafts, redeliveries, restartAt]) => {
    const records = drafts.map((draft, index): AccountRecord => ({
      id: `e${index}`,
      tenant: 'acme',
      ts: draft.ts,
      accountId: draft.accountId,
      name: null,
      parentId: draft.parentId,
      joinDate: null,
      renewalDate: null,
      source: null,
      attributes: {},
    }));
    const arrivals = [
      ...records.map((record, index) => ({ record, at: record.ts + (drafts[index]?.delay ?? 0) })),
      ...redeliveries.flatMap(([index, delay]) => {
        const record = records[index];
        return record === undefined ? [] : [{ record, at: record.ts + delay }];
      }),
    ];
    // Arriving by ts + delay (delay ≤ H): no record is ever older than newest − H on arrival.
    const delivery = arrivals.sort((a, b) => a.at - b.at).map((a) => a.record);
    return { delivery, restartAt: restartAt % delivery.length };
  });

const entriesOf = (state: EnricherState) =>
  state.tenants.get('acme')?.accounts ?? new Map<string, AccountEntry>();

function expectPathsAcyclic(state: EnricherState, parents: ReadonlyMap<string, string | null>) {
  for (const id of ACCOUNTS) {
    const path = accountPath(state, 'acme', id);
    expect(new Set(path).size).toBe(path.length);
    expect(path.at(-1)).toBe(id);
    for (let i = 1; i < path.length; i += 1) expect(parents.get(path[i] ?? '')).toBe(path[i - 1]);
  }
}

describe('applyAccountRecord, property: the hierarchy horizon', () => {
  it('disorder within the horizon (with redeliveries and a restart) still gives the (ts, id)-order hierarchy, keeping only records within the horizon', () => {
    fc.assert(
      fc.property(boundedDisorderArbitrary, ({ delivery, restartAt }) => {
        const run = deliver(delivery, restartAt, HORIZON);
        const expected = bruteForce(delivery);
        const accounts = entriesOf(run.state);
        expect(new Map([...accounts].map(([id, e]) => [id, e.parentId]))).toEqual(expected.parents);
        const lastEdge = new Map<string, string | null>();
        for (const o of run.outputs)
          if (o.type === 'hierarchy-edge') lastEdge.set(o.row.accountId, o.row.parentId);
        expect(lastEdge).toEqual(expected.parents);
        expectPathsAcyclic(run.state, expected.parents);

        // Reported once each, and every record the (ts, id) run refuses was reported.
        const ids = reported(run.outputs).map((text) => text.split(' ')[0]);
        expect(new Set(ids).size).toBe(ids.length);
        for (const text of expected.refusals) expect(ids).toContain(text.split(' ')[0]);

        // Only records within H of the newest are held; the current refusals among them are the
        // (ts, id) run's.
        const newest = Math.max(...delivery.map((r) => r.ts));
        const held = [...accounts.values()].flatMap((e) => e.history.map((h) => h.record));
        expect(held.every((r) => r.ts >= newest - HORIZON)).toBe(true);
        expect(new Set(held.map((r) => r.id))).toEqual(
          new Set(delivery.filter((r) => r.ts >= newest - HORIZON).map((r) => r.id)),
        );
        const heldIds = new Set(held.map((r) => r.id));
        expect(refusedAccountRecords(run.state, 'acme').map((r) => r.id)).toEqual(
          expected.refusals.map((text) => text.split(' ')[0] ?? '').filter((id) => heldIds.has(id)),
        );

        // The same records without the restart: the same entries (restore after folding is exact).
        expect(entriesOf(deliver(delivery, -1, HORIZON).state)).toEqual(accounts);
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it('records older than the horizon are applied in arrival order, cycles refused (any disorder, a restart)', () => {
    fc.assert(
      fc.property(
        deliveryArbitrary,
        fc.integer({ min: 0, max: 3 }),
        ({ delivery, restartAt }, horizon) => {
          const run = deliver(delivery, restartAt, horizon);
          const expected = bruteForceInOrder(horizonModel(delivery, horizon));
          const accounts = entriesOf(run.state);
          expect(new Map([...accounts].map(([id, e]) => [id, e.parentId]))).toEqual(
            expected.parents,
          );
          const lastEdge = new Map<string, string | null>();
          for (const o of run.outputs)
            if (o.type === 'hierarchy-edge') lastEdge.set(o.row.accountId, o.row.parentId);
          expect(lastEdge).toEqual(expected.parents);
          expectPathsAcyclic(run.state, expected.parents);
          const ids = new Set(reported(run.outputs).map((text) => text.split(' ')[0]));
          for (const text of expected.refusals) expect(ids).toContain(text.split(' ')[0]);
          expect(entriesOf(deliver(delivery, -1, horizon).state)).toEqual(accounts);
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);
});
