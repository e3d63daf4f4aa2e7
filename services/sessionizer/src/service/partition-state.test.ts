import type { UsageRecord } from '@cs/schemas';
import { describe, expect, it } from 'vitest';
import type { SessionizerOutput } from '../outputs.js';
import { generateUsage, interleave } from './generate-usage.test-support.js';
import { PartitionState, type ChangelogUpdate } from './partition-state.js';
import {
  quietLogger,
  testTenants,
  validUsage,
  type UsageInput,
} from './sessionizer.test-support.js';
import { tenantConfigs } from './tenant-configs.js';

const configFor = tenantConfigs(testTenants(), { logger: quietLogger });

function records(inputs: readonly UsageInput[]): UsageRecord[] {
  return inputs.flatMap((input) => {
    const valid = validUsage(input);
    return valid.type === 'usage' && 'userId' in valid.record ? [valid.record] : [];
  });
}

/** Two users' events three days on: the sweep then releases (and tombstones) older users. */
function laterEvents(): UsageInput[] {
  const ts = Date.parse('2026-03-05T10:00:00.000Z');
  return [
    { id: 'late-a', tenant: 't1', userId: 'user0', accountId: 'acc0', ts },
    { id: 'late-b', tenant: 't1', userId: 'user900', accountId: 'acc0', ts: ts + 60_000 },
  ];
}

const events = records([...interleave(generateUsage(40, 20, 5)), ...laterEvents()]);

interface Run {
  outputs: SessionizerOutput[];
  /** The changelog netted as compaction would: the last value per key (hex; null = tombstone). */
  changelog: Map<string, string | null>;
  /** Records per unit, to check that a unit writes each user once. */
  unitSizes: Array<{ records: number; keys: number }>;
}

function run(
  state: PartitionState,
  list: readonly UsageRecord[],
  unit: number,
  fail: (index: number) => boolean = () => false,
): Run {
  const result: Run = { outputs: [], changelog: new Map(), unitSizes: [] };
  const flush = (): void => {
    const updates: ChangelogUpdate[] = state.takeChangelog();
    for (const update of updates) {
      result.changelog.set(update.key, update.value === null ? null : update.value.toString('hex'));
    }
    result.unitSizes.push({
      records: updates.length,
      keys: new Set(updates.map((update) => update.key)).size,
    });
  };
  list.forEach((event, index) => {
    try {
      state.apply(event, (applied) => {
        if (fail(index)) throw new Error('render failed');
        result.outputs.push(...applied.outputs);
      });
    } catch (error) {
      if (!fail(index)) throw error;
    }
    if ((index + 1) % unit === 0) flush();
  });
  flush();
  return result;
}

describe('PartitionState changelog', () => {
  it('writes each changed user once per unit, and a restore from it goes on identically', () => {
    const half = Math.floor(events.length / 2);
    const live = new PartitionState(configFor);
    const first = run(live, events.slice(0, half), 97);
    for (const size of first.unitSizes) expect(size.records).toBe(size.keys);
    expect(first.unitSizes.reduce((sum, size) => sum + size.records, 0)).toBeLessThan(half);

    const restored = new PartitionState(configFor);
    for (const [key, hex] of first.changelog) {
      restored.restoreRecord(key, hex === null ? null : Buffer.from(hex, 'hex'));
    }
    restored.finishRestore();
    const rest = events.slice(half);
    const goneOn = run(live, rest, 97);
    const fromRestore = run(restored, rest, 97);
    expect(fromRestore.outputs).toEqual(goneOn.outputs);
    expect(fromRestore.changelog).toEqual(goneOn.changelog);
    expect([...goneOn.changelog.values()]).toContain(null);
  });

  it('rolls a failed event back to the state before it, keeping the unit’s earlier events', () => {
    // Events of users already changed in their unit (the replay path) and of new users.
    const failing = new Set([3, 45, 46, 120, 333, 500, events.length - 1]);
    const withFailures = run(new PartitionState(configFor), events, 200, (i) => failing.has(i));
    const withoutThem = run(
      new PartitionState(configFor),
      events.filter((_, i) => !failing.has(i)),
      200,
    );
    expect(withFailures.outputs).toEqual(withoutThem.outputs);
    expect(withFailures.changelog).toEqual(withoutThem.changelog);
  });
});

describe('PartitionState users held encoded (cold)', () => {
  /** Outputs as JSON: key order included (netting compares moduleTimeMs in key order). */
  const exact = (result: Run): { outputs: string; changelog: Map<string, string | null> } => ({
    outputs: JSON.stringify(result.outputs),
    changelog: result.changelog,
  });

  it('outputs and changelog are the same whichever users are kept decoded', () => {
    const allHot = run(new PartitionState(configFor, { hotUsers: 1_000_000 }), events, 97);
    for (const hotUsers of [0, 1, 7]) {
      const state = new PartitionState(configFor, { hotUsers });
      expect(exact(run(state, events, 97))).toEqual(exact(allHot));
      expect(state.hotUserCount).toBeLessThanOrEqual(hotUsers);
      expect(state.decodes).toBeGreaterThan(0);
    }
  });

  it('rolls a failed event of a cold user back like a hot one', () => {
    const failing = new Set([3, 45, 46, 120, 333, 500, events.length - 1]);
    const fail = (i: number): boolean => failing.has(i);
    const allHot = run(new PartitionState(configFor, { hotUsers: 1_000_000 }), events, 50, fail);
    const cold = run(new PartitionState(configFor, { hotUsers: 0 }), events, 50, fail);
    expect(exact(cold)).toEqual(exact(allHot));
  });

  it('a restored partition (all users cold) goes on like the live one', () => {
    const half = Math.floor(events.length / 2);
    const live = new PartitionState(configFor, { hotUsers: 1_000_000 });
    const first = run(live, events.slice(0, half), 97);
    const restored = new PartitionState(configFor, { hotUsers: 3 });
    for (const [key, hex] of first.changelog) {
      restored.restoreRecord(key, hex === null ? null : Buffer.from(hex, 'hex'));
    }
    restored.finishRestore();
    expect(restored.hotUserCount).toBe(0);
    expect(restored.watermarkTs).toBe(live.watermarkTs);
    const rest = events.slice(half);
    expect(exact(run(restored, rest, 97))).toEqual(exact(run(live, rest, 97)));
  });

  it('a sweep that releases none of a cold user’s days still moves its horizon', () => {
    // user1 holds 03-02 only. user2's event on 03-03 moves the partition's horizon to 03-02, which
    // releases nothing of user1 but makes its 03-01 late from then on, cold or hot.
    const list = records([
      { id: 'a1', tenant: 't1', userId: 'user1', accountId: 'acc0', ts: '2026-03-02T10:00:00Z' },
      { id: 'b1', tenant: 't1', userId: 'user2', accountId: 'acc0', ts: '2026-03-03T01:00:00Z' },
      { id: 'a0', tenant: 't1', userId: 'user1', accountId: 'acc0', ts: '2026-03-01T12:00:00Z' },
    ]);
    const allHot = run(new PartitionState(configFor, { hotUsers: 1_000_000 }), list, 1);
    const cold = run(new PartitionState(configFor, { hotUsers: 0 }), list, 1);
    expect(exact(cold)).toEqual(exact(allHot));
    expect(cold.outputs.filter((output) => output.kind === 'late')).toHaveLength(1);
  });
});
