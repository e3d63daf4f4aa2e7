import { describe, expect, it } from 'vitest';
import { Abandoned, retryUntilDone } from './retry-loop.js';

const policy = { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2 };

describe('retryUntilDone', () => {
  it('retries with exponential, capped backoff until the step succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retryUntilDone(
      () => {
        calls += 1;
        return calls < 7 ? Promise.reject(new Error('down')) : Promise.resolve('ok');
      },
      {
        policy,
        abandoned: () => false,
        onFailure: () => undefined,
        sleep: (ms) => {
          waits.push(ms);
          return Promise.resolve();
        },
        random: () => 0.5, // no jitter
      },
    );
    expect(result).toBe('ok');
    expect(waits).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('gives up with Abandoned once the work is no longer ours', async () => {
    let abandoned = false;
    const attempt = retryUntilDone(() => Promise.reject(new Error('down')), {
      policy,
      abandoned: () => abandoned,
      onFailure: () => {
        abandoned = true;
      },
      sleep: () => Promise.resolve(),
    });
    await expect(attempt).rejects.toBeInstanceOf(Abandoned);
  });
});
