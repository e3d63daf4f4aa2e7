import { describe, expect, it } from 'vitest';
import { createEnricherState } from './enricher-state.js';
import { applyUserRecord, userAccount, userRole } from './user-table.js';
import { user } from './test-records.test-support.js';

describe('applyUserRecord', () => {
  it('a later record moves the user to another account', () => {
    const state = createEnricherState();
    applyUserRecord(state, user('e1', 10, 'u1', 'A', { role: 'admin' }));
    const move = applyUserRecord(state, user('e2', 20, 'u1', 'B', { role: 'viewer' }));
    expect(move).toMatchObject({ outcome: 'applied', movedFrom: 'A' });
    expect(userAccount(state, 'acme', 'u1')).toBe('B');
    expect(userRole(state, 'acme', 'u1')).toBe('viewer');
  });

  it('latest ts wins when records arrive out of order', () => {
    const state = createEnricherState();
    applyUserRecord(state, user('e2', 20, 'u1', 'B'));
    expect(applyUserRecord(state, user('e1', 10, 'u1', 'A', { role: 'admin' })).outcome).toBe(
      'stale',
    );
    expect(userAccount(state, 'acme', 'u1')).toBe('B');
    expect(userRole(state, 'acme', 'u1')).toBeNull();
  });

  it('equal ts: the later arrival wins; the held record redelivered is a duplicate', () => {
    const state = createEnricherState();
    applyUserRecord(state, user('e1', 10, 'u1', 'A'));
    expect(applyUserRecord(state, user('e2', 10, 'u1', 'B')).movedFrom).toBe('A');
    expect(userAccount(state, 'acme', 'u1')).toBe('B');
    expect(applyUserRecord(state, user('e2', 10, 'u1', 'B')).outcome).toBe('duplicate');
  });

  it('an unknown user has no account and no role', () => {
    const state = createEnricherState();
    expect(userAccount(state, 'acme', 'nobody')).toBeNull();
    expect(userRole(state, 'acme', 'nobody')).toBeNull();
  });
});
