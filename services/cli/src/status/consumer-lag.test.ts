import { describe, expect, it } from 'vitest';
import { formatLag } from '../commands/status.js';
import { partitionLag } from './consumer-lag.js';

describe('partitionLag', () => {
  it('counts the records after the committed offset', () => {
    expect(partitionLag('7', '0', '10')).toEqual({ committed: 7n, lag: 3n });
    expect(partitionLag('10', '0', '10')).toEqual({ committed: 10n, lag: 0n });
  });

  it('counts every retained record when the group has committed nothing', () => {
    expect(partitionLag('-1', '4', '10')).toEqual({ committed: null, lag: 6n });
  });

  it('never reports negative lag (a committed offset past a truncated end)', () => {
    expect(partitionLag('12', '0', '10').lag).toBe(0n);
  });

  it('stays exact past 2^53', () => {
    expect(partitionLag('9007199254740993', '0', '9007199254740999').lag).toBe(6n);
  });
});

describe('formatLag', () => {
  it('prints one aligned row per partition, with - for nothing committed', () => {
    const text = formatLag([
      { group: 'cs-sink', topic: 't', partition: 0, committed: 5n, end: 9n, lag: 4n },
      { group: 'cs-sink', topic: 't', partition: 1, committed: null, end: 3n, lag: 3n },
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^GROUP\s+TOPIC\s+PARTITION\s+COMMITTED\s+END\s+LAG$/);
    expect(lines[1]).toMatch(/^cs-sink\s+t\s+0\s+5\s+9\s+4$/);
    expect(lines[2]).toMatch(/^cs-sink\s+t\s+1\s+-\s+3\s+3$/);
  });
});
