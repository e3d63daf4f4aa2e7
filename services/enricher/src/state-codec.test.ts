import { describe, expect, it } from 'vitest';
import { accountPath, applyAccountRecord } from './account-hierarchy.js';
import { createEnricherState } from './enricher-state.js';
import {
  decodeAccountEntry,
  decodeUserRecord,
  encodeAccountEntry,
  encodeUserRecord,
  restoreAccountEntry,
  restoreUserRecord,
} from './state-codec.js';
import { account, user } from './test-records.test-support.js';
import { userAccount, userRole } from './user-table.js';

describe('enricher changelog codec', () => {
  it('round-trips an account entry, including a refused link and a __proto__ attribute', () => {
    const state = createEnricherState();
    applyAccountRecord(state, account('e1', 1, 'B', 'A'));
    applyAccountRecord(
      state,
      account('e2', 2, 'A', 'B', {
        name: 'Acme',
        joinDate: 20_000,
        renewalDate: 20_365,
        source: 'crm',
        attributes: JSON.parse('{"__proto__":"x","tier":"gold"}') as Record<string, string>,
      }),
    );
    const entry = state.tenants.get('acme')?.accounts.get('A');
    if (entry === undefined) throw new Error('A not held');
    expect(entry.parentId).toBeNull(); // refused: B is below A
    const decoded = decodeAccountEntry(encodeAccountEntry(entry));
    expect(decoded).toEqual(entry);
    expect(Object.getPrototypeOf(decoded.record.attributes)).toBe(Object.prototype);
    expect(Object.keys(decoded.record.attributes)).toEqual(['__proto__', 'tier']);
  });

  it('a restore in any key order gives the same paths and users', () => {
    const state = createEnricherState();
    for (const record of [
      account('e1', 1, 'C', null),
      account('e2', 1, 'B', 'C'),
      account('e3', 1, 'A', 'B'),
    ]) {
      applyAccountRecord(state, record);
    }
    const u = user('e4', 1, 'u1', 'A', { role: 'owner', email: 'o@example.com' });
    const accounts = [...(state.tenants.get('acme')?.accounts.values() ?? [])].map(
      encodeAccountEntry,
    );
    const restored = createEnricherState();
    for (const bytes of accounts.reverse())
      restoreAccountEntry(restored, decodeAccountEntry(bytes));
    restoreUserRecord(restored, decodeUserRecord(encodeUserRecord(u)));
    expect(accountPath(restored, 'acme', 'A')).toEqual(['C', 'B', 'A']);
    expect(userAccount(restored, 'acme', 'u1')).toBe('A');
    expect(userRole(restored, 'acme', 'u1')).toBe('owner');
    expect(restored.tenants.get('acme')?.accounts).toEqual(state.tenants.get('acme')?.accounts);
  });

  it('refuses an unknown version and corrupt records with their codes', () => {
    const bytes = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
    const good = { v: 1, record: user('e1', 1, 'u1', 'A') };
    expect(decodeUserRecord(bytes(good)).userId).toBe('u1');
    expect(() => decodeUserRecord(bytes({ ...good, v: 2 }))).toThrow(
      expect.objectContaining({ code: 'state_version_unknown' }),
    );
    expect(() => decodeUserRecord(Buffer.from('nope'))).toThrow(
      expect.objectContaining({ code: 'state_corrupt' }),
    );
    expect(() =>
      decodeUserRecord(bytes({ v: 1, record: { ...good.record, attributes: { a: 1 } } })),
    ).toThrow(expect.objectContaining({ code: 'state_corrupt' }));
    expect(() => decodeAccountEntry(bytes({ v: 1, record: good.record, parentId: null }))).toThrow(
      expect.objectContaining({ code: 'state_corrupt' }),
    );
    expect(() => decodeAccountEntry(bytes({ v: 4 }))).toThrow(
      expect.objectContaining({ code: 'state_version_unknown' }),
    );
  });

  it('reads a version 1 account entry as a history of its latest record', () => {
    const record = account('e7', 7, 'A', 'B');
    const entry = decodeAccountEntry(
      Buffer.from(JSON.stringify({ v: 1, record, parentId: null }), 'utf8'),
    );
    expect(entry).toEqual({
      record,
      parentId: null,
      baseParentId: null,
      // B was refused under the v1 rule (effective parent differs from the requested one).
      history: [{ record, origin: null, refused: true, refusalReported: true }],
    });
  });

  it('reads a version 2 account entry (every record, no base) and writes version 3', () => {
    const older = account('e1', 10, 'A', 'B');
    const newer = account('e2', 20, 'A', 'C');
    const origin = { topic: 'cs.raw.account', partition: 1, offset: '7' };
    const v2 = {
      v: 2,
      record: newer,
      parentId: 'C',
      history: [
        { record: older, origin: null, refused: false, refusalReported: false },
        { record: newer, origin, refused: false, refusalReported: false },
      ],
    };
    const entry = decodeAccountEntry(Buffer.from(JSON.stringify(v2), 'utf8'));
    expect(entry).toEqual({
      record: newer,
      parentId: 'C',
      baseParentId: null,
      history: [
        { record: older, origin: null, refused: false, refusalReported: false, late: null },
        { record: newer, origin, refused: false, refusalReported: false, late: null },
      ],
    });
    const written = JSON.parse(encodeAccountEntry(entry).toString('utf8')) as { v: number };
    expect(written.v).toBe(3);
    expect(decodeAccountEntry(encodeAccountEntry(entry))).toEqual(entry);
    // Restored from v2, the replay starts from nothing and replays both records.
    const restored = createEnricherState();
    restoreAccountEntry(restored, entry);
    applyAccountRecord(restored, account('e3', 15, 'C', 'A'));
    // e3 (C under A at 15) stands; e2 (A under C at 20) would close a cycle: refused, A keeps B.
    expect(accountPath(restored, 'acme', 'A')).toEqual(['B', 'A']);
    expect(accountPath(restored, 'acme', 'C')).toEqual(['B', 'A', 'C']);
  });

  it('round-trips the history with origins, so a replay after a restore sees every record', () => {
    const state = createEnricherState();
    applyAccountRecord(state, account('e2', 20, 'B', 'A'), {
      topic: 'cs.raw.account',
      partition: 3,
      offset: '41',
    });
    applyAccountRecord(state, account('e1', 10, 'A', 'B'));
    const restored = createEnricherState();
    for (const entry of state.tenants.get('acme')?.accounts.values() ?? []) {
      restoreAccountEntry(restored, decodeAccountEntry(encodeAccountEntry(entry)));
    }
    expect(restored.tenants.get('acme')?.accounts).toEqual(state.tenants.get('acme')?.accounts);
    expect(restored.tenants.get('acme')?.accounts.get('B')?.history[0]).toEqual({
      record: account('e2', 20, 'B', 'A'),
      origin: { topic: 'cs.raw.account', partition: 3, offset: '41' },
      refused: true,
      refusalReported: true,
      late: null,
    });
    // A late record after the restore replays the whole history: B's request stays refused.
    applyAccountRecord(restored, account('e0', 5, 'A', null));
    expect(accountPath(restored, 'acme', 'A')).toEqual(['B', 'A']);
  });
});
