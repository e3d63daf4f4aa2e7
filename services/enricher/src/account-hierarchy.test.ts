import { describe, expect, it } from 'vitest';
import {
  accountParent,
  accountPath,
  applyAccountRecord,
  refusedAccountRecords,
} from './account-hierarchy.js';
import { createEnricherState, type EnricherState } from './enricher-state.js';
import type { AccountOutput } from './outputs.js';
import { decodeAccountEntry, encodeAccountEntry, restoreAccountEntry } from './state-codec.js';
import { account } from './test-records.test-support.js';

const path = (state: EnricherState, accountId: string) =>
  accountPath(state, 'acme', accountId).join('/');

const edges = (outputs: readonly AccountOutput[]) =>
  outputs.flatMap((o) =>
    o.type === 'hierarchy-edge' ? [`${o.row.accountId}→${o.row.parentId ?? 'root'}`] : [],
  );

describe('applyAccountRecord: the hierarchy', () => {
  it('builds paths root … self and emits an edge for each first record', () => {
    const state = createEnricherState();
    const outputs = [
      account('e1', 1, 'C', null),
      account('e2', 1, 'B', 'C'),
      account('e3', 1, 'A', 'B'),
    ].flatMap((record) => applyAccountRecord(state, record).outputs);
    expect(edges(outputs)).toEqual(['C→root', 'B→C', 'A→B']);
    expect(path(state, 'A')).toBe('C/B/A');
    expect(path(state, 'C')).toBe('C');
    expect(path(state, 'nobody')).toBe('nobody');
  });

  it('refuses C→A when A→B→C: C keeps its old parent and the refusal is reported', () => {
    const state = createEnricherState();
    for (const record of [
      account('e0', 1, 'R', null),
      account('e1', 1, 'C', 'R'),
      account('e2', 2, 'B', 'C'),
      account('e3', 3, 'A', 'B'),
    ]) {
      applyAccountRecord(state, record);
    }
    const refused = account('e4', 4, 'C', 'A', { name: 'Cee' });
    const result = applyAccountRecord(state, refused);
    expect(result.outcome).toBe('applied');
    expect(result.outputs).toEqual([
      {
        type: 'hierarchy-refusal',
        record: refused,
        origin: null,
        row: {
          tenant: 'acme',
          accountId: 'C',
          requestedParentId: 'A',
          keptParentId: 'R',
          rule: 'cycle',
          reason:
            'account.parentId A: A is a descendant of C (C → B → A), the link would make a cycle; kept R',
          recordId: 'e4',
          ts: 4,
        },
      },
    ]);
    expect(accountParent(state, 'acme', 'C')).toBe('R');
    expect(path(state, 'A')).toBe('R/C/B/A');
    // The record's other fields apply; its requested parent is kept as the record says.
    const entry = state.tenants.get('acme')?.accounts.get('C');
    expect(entry?.record.name).toBe('Cee');
    expect(entry?.record.parentId).toBe('A');
  });

  it('refuses a self-parent, also on an account first record', () => {
    const state = createEnricherState();
    const first = applyAccountRecord(state, account('e1', 1, 'A', 'A'));
    expect(first.outputs.map((o) => o.type)).toEqual(['hierarchy-refusal', 'hierarchy-edge']);
    expect(first.outputs[0]?.row).toMatchObject({ rule: 'self-parent', keptParentId: null });
    expect(edges(first.outputs)).toEqual(['A→root']);

    applyAccountRecord(state, account('e2', 2, 'A', 'P'));
    const again = applyAccountRecord(state, account('e3', 3, 'A', 'A'));
    expect(again.outputs).toHaveLength(1);
    expect(again.outputs[0]?.row).toMatchObject({
      rule: 'self-parent',
      requestedParentId: 'A',
      keptParentId: 'P',
    });
    expect(path(state, 'A')).toBe('P/A');
  });

  it('refuses a first record whose parent already hangs below it', () => {
    const state = createEnricherState();
    applyAccountRecord(state, account('e1', 1, 'B', 'A')); // A itself has no record yet
    const result = applyAccountRecord(state, account('e2', 2, 'A', 'B'));
    expect(result.outputs[0]?.row).toMatchObject({ rule: 'cycle', keptParentId: null });
    expect(path(state, 'B')).toBe('A/B');
  });

  it('moves a whole subtree: descendants paths follow their moved ancestor', () => {
    const state = createEnricherState();
    for (const record of [
      account('e1', 1, 'X', null),
      account('e2', 1, 'Y', null),
      account('e3', 1, 'B', 'X'),
      account('e4', 1, 'A', 'B'),
      account('e5', 1, 'A2', 'A'),
    ]) {
      applyAccountRecord(state, record);
    }
    expect(path(state, 'A2')).toBe('X/B/A/A2');
    const move = applyAccountRecord(state, account('e6', 2, 'B', 'Y'));
    expect(edges(move.outputs)).toEqual(['B→Y']);
    expect(path(state, 'A2')).toBe('Y/B/A/A2');
    // Moving B below its own grandchild would be a cycle …
    const bad = applyAccountRecord(state, account('e7', 3, 'B', 'A2'));
    expect(bad.outputs[0]?.row).toMatchObject({ rule: 'cycle', keptParentId: 'Y' });
    // … but once A2 moved out of B's subtree, B may go under it.
    applyAccountRecord(state, account('e8', 4, 'A2', 'X'));
    const good = applyAccountRecord(state, account('e9', 5, 'B', 'A2'));
    expect(edges(good.outputs)).toEqual(['B→A2']);
    expect(path(state, 'A')).toBe('X/A2/B/A');
  });

  it('latest ts wins: an older record arriving late changes no field and no link', () => {
    const state = createEnricherState();
    applyAccountRecord(state, account('e2', 20, 'A', 'P2', { name: 'new' }));
    const late = applyAccountRecord(state, account('e1', 10, 'A', 'P1', { name: 'old' }));
    expect(late).toMatchObject({ outcome: 'stale', outputs: [], changed: ['A'] });
    expect(path(state, 'A')).toBe('P2/A');
    expect(state.tenants.get('acme')?.accounts.get('A')?.record.name).toBe('new');
  });

  it('equal ts: the later arrival wins; a redelivery of the held record changes nothing', () => {
    const state = createEnricherState();
    applyAccountRecord(state, account('e1', 10, 'A', 'P1'));
    const tie = applyAccountRecord(state, account('e2', 10, 'A', 'P2'));
    expect(edges(tie.outputs)).toEqual(['A→P2']);
    expect(path(state, 'A')).toBe('P2/A');
    expect(applyAccountRecord(state, account('e2', 10, 'A', 'P2')).outcome).toBe('duplicate');
  });

  it('a record that keeps the parent emits no edge; tenants are separate', () => {
    const state = createEnricherState();
    applyAccountRecord(state, account('e1', 1, 'A', 'P'));
    expect(applyAccountRecord(state, account('e2', 2, 'A', 'P', { name: 'x' })).outputs).toEqual(
      [],
    );
    applyAccountRecord(state, { ...account('e3', 1, 'P', 'A'), tenant: 'other' });
    expect(accountPath(state, 'other', 'P')).toEqual(['A', 'P']);
    expect(path(state, 'A')).toBe('P/A');
  });

  it('a late link decides the refusal as if it had arrived in (ts, id) order, and corrects the edges', () => {
    // Seed 1's case: A moves under B at ts 10 (e1); B asks for A at ts 20 (e2), a cycle.
    // e2 arrives first (accepted: B→A), then e1: replayed, e1 stands and e2 is refused.
    const state = createEnricherState();
    const first = applyAccountRecord(state, account('e2', 20, 'B', 'A'));
    expect(edges(first.outputs)).toEqual(['B→A']);
    const late = applyAccountRecord(state, account('e1', 10, 'A', 'B'));
    expect(late.outcome).toBe('applied');
    expect(late.outputs.map((o) => o.type)).toEqual([
      'hierarchy-edge',
      'hierarchy-refusal',
      'hierarchy-edge',
    ]);
    expect(edges(late.outputs)).toEqual(['A→B', 'B→root']);
    // The correction of B carries B's newest ts, so it is B's latest edge downstream.
    expect(late.outputs[2]?.row).toMatchObject({ accountId: 'B', ts: 20 });
    expect(late.outputs[1]).toMatchObject({
      type: 'hierarchy-refusal',
      record: { id: 'e2' },
      row: { recordId: 'e2', accountId: 'B', requestedParentId: 'A', keptParentId: null },
    });
    expect(late.changed.sort()).toEqual(['A', 'B']);
    expect(path(state, 'A')).toBe('B/A');
    expect(refusedAccountRecords(state, 'acme').map((r) => r.id)).toEqual(['e2']);
  });

  it('a refusal is reported once; a late record may lift it (the report stays, the edge corrects)', () => {
    const state = createEnricherState();
    applyAccountRecord(state, account('e1', 10, 'A', 'B'));
    const refused = applyAccountRecord(state, account('e3', 30, 'B', 'A'));
    expect(refused.outputs.map((o) => o.type)).toEqual(['hierarchy-refusal', 'hierarchy-edge']);
    // A late record moves A to C before B's request: B→A no longer closes a cycle.
    const lift = applyAccountRecord(state, account('e2', 20, 'A', 'C'));
    expect(lift.outcome).toBe('applied');
    expect(lift.outputs.map((o) => o.type)).toEqual(['hierarchy-edge', 'hierarchy-edge']);
    expect(edges(lift.outputs)).toEqual(['A→C', 'B→A']);
    expect(refusedAccountRecords(state, 'acme')).toEqual([]);
    // A later record bringing the cycle back refuses again a record already reported: no report.
    const back = applyAccountRecord(state, account('e25', 25, 'C', 'B'));
    expect(back.outputs.filter((o) => o.type === 'hierarchy-refusal')).toEqual([]);
    expect(refusedAccountRecords(state, 'acme').map((r) => r.id)).toEqual(['e3']);
    expect(path(state, 'A')).toBe('B/C/A');
  });
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('applyAccountRecord: the hierarchy horizon', () => {
  it('one account recorded every hour for 60 days keeps only the records of the last 7 days', () => {
    const state = createEnricherState({ hierarchyHorizonMs: 7 * DAY });
    const parents = ['P', 'Q', 'R'];
    let largest = 0;
    for (let hour = 0; hour < 60 * 24; hour += 1) {
      const parent = parents[hour % parents.length] ?? null;
      const result = applyAccountRecord(state, account(`e${hour}`, hour * HOUR, 'A', parent));
      expect(result.changed).toContain('A');
      const entry = state.tenants.get('acme')?.accounts.get('A');
      if (entry === undefined) throw new Error('A not held');
      largest = Math.max(largest, encodeAccountEntry(entry).length);
      // Every record within 7 days of the newest (ts ≥ newest − 7 days): at most 7 × 24 + 1.
      expect(entry.history.length).toBe(Math.min(hour + 1, 7 * 24 + 1));
      expect(entry.history[0]?.record.ts).toBe(Math.max(0, hour - 7 * 24) * HOUR);
      expect(state.tenants.get('acme')?.replay?.steps.length).toBe(entry.history.length);
    }
    // The changelog entry stays the size of a week of records (~170 × ~300 bytes), far below 1 MB.
    expect(largest).toBeLessThan(100_000);
    const last = 60 * 24 - 1;
    expect(path(state, 'A')).toBe(`${parents[last % parents.length] ?? ''}/A`);
  });

  it('a record older than the horizon start is applied on top of the current hierarchy in arrival order, a cycle refused', () => {
    const state = createEnricherState({ hierarchyHorizonMs: 10 });
    applyAccountRecord(state, account('e1', 100, 'B', 'A'));
    applyAccountRecord(state, account('e2', 200, 'E', null)); // horizon start 190: e1 folded
    expect(state.tenants.get('acme')?.accounts.get('B')).toMatchObject({
      parentId: 'A',
      baseParentId: 'A',
      history: [],
    });
    // e0 (A under B at 50) would precede e1 in (ts, id) order, and then e1 would be refused.
    // Beyond the horizon it is applied now, on top of B→A: A→B closes a cycle, refused.
    const late = applyAccountRecord(state, account('e0', 50, 'A', 'B'));
    expect(late.outcome).toBe('applied');
    expect(late.outputs).toMatchObject([
      {
        type: 'hierarchy-refusal',
        row: { recordId: 'e0', accountId: 'A', requestedParentId: 'B', rule: 'cycle' },
      },
      { type: 'hierarchy-edge', row: { accountId: 'A', parentId: null, ts: 50 } },
    ]);
    expect(path(state, 'B')).toBe('A/B');
    expect(refusedAccountRecords(state, 'acme').map((r) => r.id)).toEqual(['e0']);

    // Two late records, in (ts, id) order C→D (60) would stand and D→C (70) be refused; they
    // arrive D→C first, so D→C stands and C→D is refused.
    applyAccountRecord(state, account('e4', 70, 'D', 'C'));
    const second = applyAccountRecord(state, account('e3', 60, 'C', 'D'));
    expect(second.outputs).toMatchObject([
      { type: 'hierarchy-refusal', row: { recordId: 'e3', accountId: 'C', keptParentId: null } },
      // C's first record: its edge (a root).
      { type: 'hierarchy-edge', row: { accountId: 'C', parentId: null } },
    ]);
    expect(path(state, 'D')).toBe('C/D');
    expect(path(state, 'C')).toBe('C');

    // An in-horizon record out of order (ts 195 < the late records' place, 200) is replayed before
    // them: C under D stands, then the late D→C closes a cycle (refused, reported now) and C→D is
    // no longer refused (C already has D).
    const inHorizon = applyAccountRecord(state, account('e5', 195, 'C', 'D'));
    expect(inHorizon.outputs.map((o) => o.type)).toEqual([
      'hierarchy-edge',
      'hierarchy-refusal',
      'hierarchy-edge',
    ]);
    expect(edges(inHorizon.outputs)).toEqual(['C→D', 'D→root']);
    expect(inHorizon.outputs[1]).toMatchObject({ row: { recordId: 'e4', rule: 'cycle' } });
    expect(path(state, 'C')).toBe('D/C');
    expect(refusedAccountRecords(state, 'acme').map((r) => r.id)).toEqual(['e0', 'e4']);
  });

  it('a restore from the changelog after folding gives the same entries and the same next outputs', () => {
    const options = { hierarchyHorizonMs: 20 };
    const records = [
      account('e1', 10, 'B', 'A'),
      account('e2', 15, 'C', 'B'),
      account('e3', 40, 'A', 'C'), // a cycle with B→A, C→B: refused (folded later)
      account('e4', 50, 'D', 'C'),
      account('e5', 45, 'C', null),
      account('e6', 20, 'A', 'D'), // late (horizon start 30): A→D; D under C, C root: stands
    ];
    const state = createEnricherState(options);
    for (const record of records) applyAccountRecord(state, record);
    const entries = state.tenants.get('acme')?.accounts;
    expect(entries?.get('B')?.history).toEqual([]); // e1 folded into the base
    expect(entries?.get('B')?.baseParentId).toBe('A');
    expect(entries?.get('A')?.history.map((h) => [h.record.id, h.late])).toEqual([
      ['e6', { at: 50, seq: 0 }],
      ['e3', null],
    ]);

    const restored = createEnricherState(options);
    for (const entry of [...(entries?.values() ?? [])].reverse()) {
      restoreAccountEntry(restored, decodeAccountEntry(encodeAccountEntry(entry)));
    }
    expect(restored.tenants.get('acme')?.accounts).toEqual(entries);
    expect(path(restored, 'A')).toBe('C/D/A');

    // The same next records give the same outputs and state, with or without the restart.
    const more = [
      account('e7', 48, 'C', 'A'),
      account('e8', 80, 'E', 'B'),
      account('e9', 41, 'D', null),
    ];
    for (const record of more) {
      expect(applyAccountRecord(restored, record)).toEqual({
        ...applyAccountRecord(state, record),
        state: restored,
      });
    }
    expect(restored.tenants.get('acme')?.accounts).toEqual(state.tenants.get('acme')?.accounts);
  });
});
