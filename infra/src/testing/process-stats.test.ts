import { describe, expect, it } from 'vitest';
import { processCpuSeconds, processMemory } from './process-stats.js';

describe('process stats from /proc', () => {
  it('reads this process: resident memory within its peak, CPU time that grows with work', () => {
    const memory = processMemory(process.pid);
    expect(memory?.rss).toBeGreaterThan(1024 * 1024);
    expect(memory?.hwm).toBeGreaterThanOrEqual(memory?.rss ?? Infinity);
    const before = processCpuSeconds(process.pid) ?? NaN;
    const until = Date.now() + 150;
    while (Date.now() < until) Math.sqrt(Math.random());
    expect(processCpuSeconds(process.pid)).toBeGreaterThan(before);
  });

  it('has nothing for a process that does not exist, or no pid', () => {
    expect(processMemory(2 ** 22 + 1)).toBeUndefined();
    expect(processCpuSeconds(2 ** 22 + 1)).toBeUndefined();
    expect(processMemory(undefined)).toBeUndefined();
  });
});
