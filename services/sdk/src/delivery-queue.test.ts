import { describe, expect, it } from 'vitest';
import { CsError } from '@cs/runtime';
import { validateEvent, type ValidEvent } from '@cs/schemas';
import { backoffDelay } from './backoff.js';
import { DeliveryQueue, type DeliveryOptions } from './delivery-queue.js';
import { SdkError } from './errors.js';
import { FakeClock, settle } from './fake-clock.test-support.js';
import type { TransportRefusal } from './transport.js';

function event(id: string): ValidEvent {
  const result = validateEvent({
    type: 'usage',
    id,
    tenant: 'acme',
    ts: 1_772_000_000_000,
    accountId: 'acc-1',
    userId: 'usr-1',
  });
  if (!result.ok) throw new Error('fixture is invalid');
  return result;
}

const ids = (events: readonly ValidEvent[]): string[] => events.map((valid) => valid.event.id);

function setup(
  send: (events: readonly ValidEvent[]) => Promise<readonly TransportRefusal[]>,
  overrides: Partial<DeliveryOptions> = {},
) {
  const clock = new FakeClock();
  const sent: string[][] = [];
  const errors: { code: string; ids: string[] }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const queue = new DeliveryQueue({
    batchSize: 2,
    flushIntervalMs: 1_000,
    maxRetries: 3,
    backoff: { initialMs: 200, maxMs: 5_000 },
    maxQueueSize: 100,
    clock,
    random: () => 0,
    send: async (events) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const result = await send(events);
        sent.push(ids(events));
        return result;
      } finally {
        inFlight -= 1;
      }
    },
    onError: (error, events) => errors.push({ code: error.code, ids: ids(events) }),
    ...overrides,
  });
  return { clock, queue, sent, errors, maxInFlight: () => maxInFlight };
}

const ok = () => Promise.resolve([]);
const down = () =>
  Promise.reject(new CsError('KAFKA_UNAVAILABLE', 'brokers down', { retriable: true }));

describe('DeliveryQueue batching', () => {
  it('sends a batch as soon as it is full, in call order', async () => {
    const { queue, sent } = setup(ok);
    for (const id of ['a', 'b', 'c', 'd', 'e']) queue.enqueue(event(id));
    await settle();
    expect(sent).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(queue.size).toBe(1);
  });

  it('sends a partial batch when the interval passes, not before', async () => {
    const { clock, queue, sent } = setup(ok);
    queue.enqueue(event('a'));
    await clock.advance(999);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent).toEqual([['a']]);
    expect(clock.pending).toBe(0);
  });

  it('flush() sends everything queued without waiting for the interval', async () => {
    const { queue, sent } = setup(ok, { batchSize: 10 });
    for (const id of ['a', 'b', 'c']) queue.enqueue(event(id));
    expect(await queue.flush()).toEqual({ delivered: 3, failed: 0 });
    expect(sent).toEqual([['a', 'b', 'c']]);
  });

  it('keeps one batch in flight', async () => {
    const { queue, maxInFlight } = setup(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return [];
    });
    for (let i = 0; i < 9; i++) queue.enqueue(event(`e${i}`));
    await queue.flush();
    expect(maxInFlight()).toBe(1);
  });

  it('refuses to grow past maxQueueSize', () => {
    const { queue } = setup(() => new Promise(() => undefined), {
      maxQueueSize: 3,
      batchSize: 10,
    });
    for (const id of ['a', 'b', 'c']) queue.enqueue(event(id));
    expect(() => queue.enqueue(event('d'))).toThrow(
      expect.objectContaining({ code: 'QUEUE_FULL' }),
    );
  });
});

describe('DeliveryQueue retries', () => {
  it('retries a retriable failure with exponential backoff, then delivers', async () => {
    let attempts = 0;
    const { clock, queue, sent, errors } = setup(() => (++attempts <= 2 ? down() : ok()));
    queue.enqueue(event('a'));
    queue.enqueue(event('b'));
    await settle();
    await clock.advance(100);
    await clock.advance(200);
    expect(clock.sleeps).toEqual([100, 200]);
    expect(sent).toEqual([['a', 'b']]);
    expect(errors).toEqual([]);
  });

  it('hands the batch to onError after maxRetries, and carries on with the next', async () => {
    let calls = 0;
    const { clock, queue, sent, errors } = setup(
      () => {
        calls += 1;
        return calls <= 4 ? down() : ok();
      },
      { maxRetries: 3 },
    );
    for (const id of ['a', 'b', 'c']) queue.enqueue(event(id));
    const flushed = queue.flush();
    await clock.advance(10_000);
    expect(await flushed).toEqual({ delivered: 1, failed: 2 });
    expect(clock.sleeps).toEqual([100, 200, 400]);
    expect(errors).toEqual([{ code: 'KAFKA_UNAVAILABLE', ids: ['a', 'b'] }]);
    expect(sent).toEqual([['c']]);
  });

  it('does not retry a failure waiting cannot fix', async () => {
    const { clock, queue, errors } = setup(() =>
      Promise.reject(new SdkError('GATEWAY_REFUSED', 'unknown API key')),
    );
    queue.enqueue(event('a'));
    await queue.flush();
    expect(clock.sleeps).toEqual([]);
    expect(errors).toEqual([{ code: 'GATEWAY_REFUSED', ids: ['a'] }]);
  });

  it('reports the events the receiver refused one by one, and counts the rest delivered', async () => {
    const { queue, errors } = setup(() => Promise.resolve([{ index: 1, errors: ['too large'] }]));
    queue.enqueue(event('a'));
    queue.enqueue(event('b'));
    expect(await queue.flush()).toEqual({ delivered: 1, failed: 1 });
    expect(errors).toEqual([{ code: 'GATEWAY_REFUSED', ids: ['b'] }]);
  });
});

describe('backoffDelay', () => {
  const options = { initialMs: 200, maxMs: 5_000 };

  it('doubles per attempt, capped, with half of each step random', () => {
    expect([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([
      100, 200, 400, 800, 1_600, 2_500,
    ]);
    expect([0, 1, 5].map((attempt) => backoffDelay(attempt, options, () => 0.999999))).toEqual([
      200, 400, 5_000,
    ]);
  });

  it('waits at least what Retry-After asked, within the cap', () => {
    expect(backoffDelay(0, options, () => 0, 3_000)).toBe(3_000);
    expect(backoffDelay(0, options, () => 0, 60_000)).toBe(5_000);
  });
});
