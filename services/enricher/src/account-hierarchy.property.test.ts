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
function deliver(delivery: readonly AccountRecord[], restartAt: number): Run {
  let state = createEnricherState();
  const outputs: AccountOutput[] = [];
  delivery.forEach((record, index) => {
    outputs.push(...applyAccountRecord(state, record).outputs);
    if (index === restartAt) {
      // A restart from the changelog, one record per account, in reverse key order.
      const restored = createEnricherState();
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
