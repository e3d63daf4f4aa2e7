import { describe, expect, it } from 'vitest';
import { CsError } from '../errors.js';
import type { RetryPolicy } from './backoff.js';
import { outcome, type HandlerOutcome, type SourceRecord } from './outcome.js';
import { routeRecord, type RoutingDeps } from './record-routing.js';

const source: SourceRecord = {
  topic: 'in',
  partition: 0,
  offset: '7',
  key: Buffer.from('k'),
  value: Buffer.from('{"n":1}'),
  headers: {},
  timestamp: '0',
};
const retry: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 10,
  maxDelayMs: 100,
  multiplier: 2,
  onExhausted: 'dlq',
};

function deps(
  handle: (attempt: number) => HandlerOutcome | Promise<HandlerOutcome>,
  overrides: Partial<RoutingDeps<unknown>> = {},
): RoutingDeps<unknown> & { waits: number[]; retries: number } {
  const waits: number[] = [];
  const state = {
    decode: (record: SourceRecord) => Promise.resolve(JSON.parse(String(record.value)) as unknown),
    handle: async ({ attempt }: { attempt: number }) => handle(attempt),
    retry,
    wait: (ms: number) => {
      waits.push(ms);
      return Promise.resolve(true);
    },
    random: () => 0.5,
    waits,
    retries: 0,
    onRetry: () => {
      state.retries += 1;
    },
    ...overrides,
  };
  return state;
}

describe('routeRecord', () => {
  it('passes ok outputs and changelog through', async () => {
    const out = { topic: 'o', key: 'k', value: Buffer.from('v') };
    const decision = await routeRecord(
      source,
      deps(() => outcome.ok([out], [out])),
    );
    expect(decision).toEqual({ kind: 'ok', outputs: [out], changelog: [out] });
  });

  it('turns an undecodable record into a dead letter at step decode, without retrying', async () => {
    const d = deps(() => outcome.ok(), {
      decode: () => Promise.reject(new Error('bad magic byte')),
    });
    expect(await routeRecord(source, d)).toEqual({
      kind: 'dlq',
      reason: 'bad magic byte',
      step: 'decode',
    });
    expect(d.waits).toEqual([]);
  });

  it('retries a decode failure that is marked retriable (registry down)', async () => {
    let calls = 0;
    const d = deps(() => outcome.ok(), {
      decode: () => {
        calls += 1;
        return calls < 2
          ? Promise.reject(
              new CsError('REGISTRY_DOWN', 'registry unavailable', { retriable: true }),
            )
          : Promise.resolve({});
      },
    });
    expect((await routeRecord(source, d)).kind).toBe('ok');
    expect(d.waits).toEqual([10]);
  });

  it('retries with exponential backoff, then dead-letters when exhausted', async () => {
    const d = deps(() => outcome.retry('db down'));
    expect(await routeRecord(source, d)).toEqual({
      kind: 'dlq',
      reason: 'retries exhausted after 3 attempts: db down',
      step: 'retry',
    });
    expect(d.waits).toEqual([10, 20]);
    expect(d.retries).toBe(2);
  });

  it('uses the delay the handler asks for', async () => {
    const d = deps((attempt) =>
      attempt === 1 ? outcome.retry('later', 555) : outcome.drop('dup'),
    );
    expect(await routeRecord(source, d)).toEqual({ kind: 'drop', reason: 'dup' });
    expect(d.waits).toEqual([555]);
  });

  it('stops instead when the policy says so', async () => {
    const d = deps(() => outcome.retry('db down'), { retry: { ...retry, onExhausted: 'stop' } });
    expect((await routeRecord(source, d)).kind).toBe('stop');
  });

  it('retries a throwing handler, then dead-letters it at step handle (even under the stop policy)', async () => {
    const d = deps(
      () => {
        throw new Error('boom');
      },
      { retry: { ...retry, onExhausted: 'stop' } },
    );
    expect(await routeRecord(source, d)).toEqual({
      kind: 'dlq',
      reason: 'retries exhausted after 3 attempts: handler threw: boom',
      step: 'handle',
    });
  });

  it('dead-letters a non-retriable CsError at once', async () => {
    const d = deps(() => {
      throw new CsError('INVALID_EVENT', 'no tenant');
    });
    expect(await routeRecord(source, d)).toEqual({
      kind: 'dlq',
      reason: 'handler threw: no tenant',
      step: 'handle',
    });
    expect(d.waits).toEqual([]);
  });

  it('passes a handler dlq outcome through with its step', async () => {
    expect(
      await routeRecord(
        source,
        deps(() => outcome.dlq('unknown tenant', 'enrich')),
      ),
    ).toEqual({
      kind: 'dlq',
      reason: 'unknown tenant',
      step: 'enrich',
    });
  });

  it('abandons the record when the wait is cut short (stop, revoke)', async () => {
    const d = deps(() => outcome.retry('db down'), { wait: () => Promise.resolve(false) });
    expect(await routeRecord(source, d)).toEqual({ kind: 'abandon' });
  });

  it('tells the handler which attempt it is', async () => {
    const seen: number[] = [];
    await routeRecord(
      source,
      deps((attempt) => {
        seen.push(attempt);
        return attempt < 3 ? outcome.retry('x') : outcome.ok();
      }),
    );
    expect(seen).toEqual([1, 2, 3]);
  });
});
