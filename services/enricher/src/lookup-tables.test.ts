import { describe, expect, it } from 'vitest';
import { accountPath, applyAccountRecord } from './account-hierarchy.js';
import { createEnricherState } from './enricher-state.js';
import { intern, INTERN_LIMIT } from './intern.js';
import {
  createLookupTables,
  lookupAccountEntry,
  lookupAccountPath,
  lookupUserRecord,
  lookupUserRole,
} from './lookup-tables.js';
import {
  decodeAccountEntry,
  decodeUserRecord,
  encodeAccountEntry,
  encodeUserRecord,
} from './state-codec.js';
import { account, user } from './test-records.test-support.js';
import { applyUserRecord, userRole } from './user-table.js';

describe('lookup tables (what enrichment reads)', () => {
  it('give the paths and roles of the full state the changelog entries come from', () => {
    const state = createEnricherState();
    const records = [
      account('e1', 1, 'C', null),
      account('e2', 2, 'B', 'C'),
      account('e3', 3, 'A', 'B'),
      account('e4', 4, 'C', 'A'), // refused: a cycle; C stays a root
    ];
    for (const record of records) applyAccountRecord(state, record);
    const users = [
      user('p1', 1, 'u1', 'A', { role: 'admin', email: 'a@example.com' }),
      user('p2', 2, 'u1', 'B', { role: 'viewer' }),
      user('p3', 1, 'u2', 'C'),
    ];
    for (const record of users) applyUserRecord(state, record);
    const tables = createLookupTables();
    for (const entry of state.tenants.get('acme')?.accounts.values() ?? []) {
      lookupAccountEntry(tables, decodeAccountEntry(encodeAccountEntry(entry)));
    }
    // The changelog carries each applied record in order; the last one per user stands.
    for (const record of users)
      lookupUserRecord(tables, decodeUserRecord(encodeUserRecord(record)));
    for (const id of ['A', 'B', 'C', 'never-recorded']) {
      expect(lookupAccountPath(tables, 'acme', id)).toEqual(accountPath(state, 'acme', id));
    }
    expect(lookupAccountPath(tables, 'acme', 'A')).toEqual(['C', 'B', 'A']);
    expect(lookupAccountPath(tables, 'other', 'A')).toEqual(['A']);
    for (const id of ['u1', 'u2', 'nobody']) {
      expect(lookupUserRole(tables, 'acme', id)).toBe(userRole(state, 'acme', id));
    }
    expect(lookupUserRole(tables, 'acme', 'u1')).toBe('viewer');
  });

  it('a corrupt link (a cycle) throws hierarchy_cycle instead of looping', () => {
    const tables = createLookupTables();
    for (const [id, parent] of [
      ['A', 'B'],
      ['B', 'A'],
    ] as const) {
      const state = createEnricherState();
      applyAccountRecord(state, account(`e${id}`, 1, id, parent));
      const entry = state.tenants.get('acme')?.accounts.get(id);
      if (entry === undefined) throw new Error(`${id} not held`);
      lookupAccountEntry(tables, entry);
    }
    expect(() => lookupAccountPath(tables, 'acme', 'A')).toThrow(
      expect.objectContaining({ code: 'hierarchy_cycle' }),
    );
  });
});

describe('intern', () => {
  it('returns an equal string, before and after its pool is full (sharing is not observable)', () => {
    const a = intern(['ro', 'le'].join(''));
    expect(intern(['r', 'ole'].join(''))).toBe(a);
    for (let i = 0; i < INTERN_LIMIT; i += 1) intern(`fill-${i}`);
    const late = ['la', 'te'].join('');
    expect(intern(late)).toBe('late');
    expect(intern('role')).toBe('role');
  });
});
