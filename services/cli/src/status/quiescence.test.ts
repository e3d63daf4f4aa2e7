import { describe, expect, it } from 'vitest';
import type { PartitionLag } from './consumer-lag.js';
import {
  PipelineNotQuiescent,
  totalLag,
  pipelineGroupsFromEnv,
  waitForQuiescence,
  type LagSnapshot,
} from './quiescence.js';

const row = (topic: string, committed: bigint, end: bigint, group = 'cs-sink'): PartitionLag => ({
  group,
  topic,
  partition: 0,
  committed,
  end,
  lag: end - committed,
});

/** A fake clock and a measure that plays the given readings, then repeats the last one. */
function scripted(readings: LagSnapshot[]) {
  let time = 0;
  let index = 0;
  return {
    measure: () => Promise.resolve(readings[Math.min(index++, readings.length - 1)] as LagSnapshot),
    now: () => time,
    sleep: (ms: number) => {
      time += ms;
      return Promise.resolve();
    },
    readings: () => index,
  };
}

describe('totalLag', () => {
  it('counts a lag of 1 on a transactional (derived) topic: a closing marker is committed past', () => {
    const snapshot: LagSnapshot = {
      rows: [row('t_cs.derived.session', 3n, 4n), row('t_cs.raw.usage', 2n, 4n)],
      unknownGroups: [],
    };
    expect(totalLag(snapshot)).toBe(3n);
  });
});

describe('pipelineGroupsFromEnv', () => {
  it('defaults to the four pipeline groups, upstream first', () => {
    expect(pipelineGroupsFromEnv({})).toEqual([
      'cs-sessionizer',
      'cs-enricher',
      'cs-billing',
      'cs-sink',
    ]);
  });

  it('takes CS_PIPELINE_GROUPS, comma-separated', () => {
    expect(pipelineGroupsFromEnv({ CS_PIPELINE_GROUPS: ' a, b ,,c' })).toEqual(['a', 'b', 'c']);
  });
});

describe('waitForQuiescence', () => {
  const done: LagSnapshot = { rows: [row('t_cs.raw.usage', 5n, 5n)], unknownGroups: [] };

  it('needs two caught-up readings in a row', async () => {
    const lagging: LagSnapshot = { rows: [row('t_cs.raw.usage', 2n, 5n)], unknownGroups: [] };
    const fake = scripted([lagging, done, lagging, done, done]);
    await waitForQuiescence({ ...fake, timeoutMs: 60_000 });
    expect(fake.readings()).toBe(5);
  });

  it('starts over when the end offsets moved between two caught-up readings', async () => {
    const later: LagSnapshot = { rows: [row('t_cs.raw.usage', 7n, 7n)], unknownGroups: [] };
    const fake = scripted([done, later, later]);
    await waitForQuiescence({ ...fake, timeoutMs: 60_000 });
    expect(fake.readings()).toBe(3);
  });

  it('does not take a lag of 1 on a derived topic for caught up', async () => {
    const marker: LagSnapshot = { rows: [row('t_cs.derived.session', 3n, 4n)], unknownGroups: [] };
    const fake = scripted([marker]);
    await expect(
      waitForQuiescence({ ...fake, timeoutMs: 5_000, intervalMs: 1_000 }),
    ).rejects.toThrow(/t_cs\.derived\.session\[0\] lag 1 \(committed 3, end 4\)/);
  });

  it('fails at the deadline naming the lagging group, topic and partition', async () => {
    const stuck: LagSnapshot = {
      rows: [row('t_cs.derived.session', 1n, 9n, 'g-sink')],
      unknownGroups: ['g-billing'],
    };
    const fake = scripted([stuck]);
    const failure = waitForQuiescence({ ...fake, timeoutMs: 5_000, intervalMs: 1_000 });
    await expect(failure).rejects.toBeInstanceOf(PipelineNotQuiescent);
    await expect(failure).rejects.toThrow(
      /within 5 s: g-sink t_cs\.derived\.session\[0\] lag 8 \(committed 1, end 9\); g-billing: no running member/,
    );
  });
});
