import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AccountRecord } from '@cs/schemas';
import { accountPath, applyAccountRecord } from './account-hierarchy.js';
import { createEnricherState, type AccountEntry } from './enricher-state.js';
import type { AccountOutput } from './outputs.js';
import { decodeAccountEntry, encodeAccountEntry, restoreAccountEntry } from './state-codec.js';

// ---------------------------------------------------------------------------------------------
// The refusal rule by brute force, sharing no code with the enricher: process the deliveries in
// order; a record loses to a held one with a greater ts (or the same id); a requested parent is
// refused when it is the account itself or in the account's descendant set, grown to a fixpoint
// over all current links.
// ---------------------------------------------------------------------------------------------

interface Expected {
  parents: Map<string, string | null>;
  refusals: string[];
}

function bruteForce(delivery: readonly AccountRecord[]): Expected {
  const held = new Map<string, AccountRecord>();
  const parents = new Map<string, string | null>();
  const refusals: string[] = [];
  for (const record of delivery) {
    const previous = held.get(record.accountId);
    if (previous !== undefined && (previous.id === record.id || previous.ts > record.ts)) continue;
    held.set(record.accountId, record);
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

describe('applyAccountRecord, property', () => {
  it('keeps exactly the links an in-order processor with the same refusal rule keeps; no cycle', () => {
    fc.assert(
      fc.property(deliveryArbitrary, ({ delivery, restartAt }) => {
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
        const expected = bruteForce(delivery);

        const accounts = state.tenants.get('acme')?.accounts ?? new Map<string, AccountEntry>();
        expect(new Map([...accounts].map(([id, entry]) => [id, entry.parentId]))).toEqual(
          expected.parents,
        );
        const refusals = outputs.flatMap((o) =>
          o.type === 'hierarchy-refusal'
            ? [
                `${o.row.recordId} ${o.row.accountId}→${o.row.requestedParentId} kept ${o.row.keptParentId ?? 'root'}`,
              ]
            : [],
        );
        expect(refusals).toEqual(expected.refusals);

        // The last edge emitted per account is its final parent (what account_hierarchy keeps).
        const lastEdge = new Map<string, string | null>();
        for (const o of outputs)
          if (o.type === 'hierarchy-edge') lastEdge.set(o.row.accountId, o.row.parentId);
        expect(lastEdge).toEqual(expected.parents);

        // No cycle: every path walks up to a root without repeating, and ends with the account.
        for (const id of ACCOUNTS) {
          const path = accountPath(state, 'acme', id);
          expect(new Set(path).size).toBe(path.length);
          expect(path.at(-1)).toBe(id);
          for (let i = 1; i < path.length; i += 1) {
            expect(expected.parents.get(path[i] ?? '')).toBe(path[i - 1]);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
