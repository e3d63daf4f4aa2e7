import { describe, expect, it } from 'vitest';
import { applyAccountRecord } from './account-hierarchy.js';
import { createEnricherState } from './enricher-state.js';
import { enrichUsage } from './enrich-usage.js';
import { applyUserRecord } from './user-table.js';
import { account, usage, user } from './test-records.test-support.js';

describe('enrichUsage', () => {
  it('adds the account path as of now, the user role and a non-null product', () => {
    const state = createEnricherState();
    applyAccountRecord(state, account('e1', 1, 'A', 'P'));
    applyAccountRecord(state, account('e2', 1, 'P', 'ROOT'));
    applyUserRecord(state, user('e3', 1, 'u1', 'A', { role: 'admin' }));
    const event = usage({ accountId: 'A', userId: 'u1', feature: 'export', count: 3 });
    expect(enrichUsage(state, event)).toEqual({
      ...event,
      product: '',
      accountPath: ['ROOT', 'P', 'A'],
      role: 'admin',
    });
  });

  it('uses the event own account, not the user latest one; unknown user and account are fine', () => {
    const state = createEnricherState();
    applyAccountRecord(state, account('e1', 1, 'A', 'P'));
    applyUserRecord(state, user('e2', 5, 'u1', 'B', { role: 'viewer' }));
    const enriched = enrichUsage(state, usage({ accountId: 'A', userId: 'u1', product: 'app' }));
    expect(enriched).toMatchObject({ accountPath: ['P', 'A'], role: 'viewer', product: 'app' });
    const stranger = enrichUsage(state, usage({ accountId: 'Z', userId: 'u9' }));
    expect(stranger).toMatchObject({ accountPath: ['Z'], role: null });
  });
});
