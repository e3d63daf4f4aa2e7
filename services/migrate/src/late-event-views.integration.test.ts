/**
 * cs.late_events (migration 0008): the queryable warning for events beyond the sessionizer's held
 * horizon, one row per tenant and day, counting distinct event ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT } from './fact-rows.test-support.js';
import { at, migratedWarehouse, type MigratedWarehouse } from './warehouse.test-support.js';

let wh: MigratedWarehouse;

const lateRow = (eventId: string, user: string): Record<string, unknown> => ({
  tenant: TENANT,
  event_id: eventId,
  user_id: user,
  account_id: 'A1',
  ts: at('2026-06-28', '10:00:00'),
  day: '2026-06-28',
  held_from_day: '2026-06-30',
});

beforeAll(async () => {
  wh = await migratedWarehouse();
});

afterAll(async () => {
  await wh.drop();
});

describe('cs.late_events', () => {
  it('counts a late event sent twice once', async () => {
    // Two batches (distinct tokens): the duplicate is not a retried block, so both rows land.
    await wh.insert('late_events', [lateRow('e1', 'uA')], 'late_events:t:0:0-0');
    await wh.insert('late_events', [lateRow('e1', 'uA')], 'late_events:t:0:1-1');

    expect(await wh.rows('SELECT count() AS n FROM {facts_db}.late_events')).toEqual([{ n: 2 }]);
    expect(await wh.rows('SELECT tenant, day, late_events FROM {db}.late_events')).toEqual([
      { tenant: TENANT, day: '2026-06-28', late_events: 1 },
    ]);
  });
});
