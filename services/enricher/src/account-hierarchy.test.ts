import { describe, expect, it } from 'vitest';
import {
  accountParent,
  accountPath,
  applyAccountRecord,
  refusedAccountRecords,
} from './account-hierarchy.js';
import { createEnricherState, type EnricherState } from './enricher-state.js';
import type { AccountOutput } from './outputs.js';
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
