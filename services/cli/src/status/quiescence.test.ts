import { describe, expect, it } from 'vitest';
import type { PartitionLag } from './consumer-lag.js';
import {
  PipelineNotQuiescent,
  pendingRecords,
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

describe('pendingRecords', () => {
  it('takes a lag of 1 on a transactional (derived) topic for the closing commit marker', () => {
    expect(pendingRecords(row('t_cs.derived.session', 3n, 4n))).toBe(0n);
    expect(pendingRecords(row('t_cs.derived.session', 2n, 4n))).toBe(2n);
  });

  it('counts every record of a raw topic (written without transactions)', () => {
    expect(pendingRecords(row('t_cs.raw.usage', 3n, 4n))).toBe(1n);
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
