import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsError } from '@cs/runtime';
import type { ValidEvent } from '@cs/schemas';
import type { PublishPort } from './batch-sender.js';
import { runIngest, type IngestRunOptions } from './ingest-run.js';
import { RefusalLog } from './refusals.js';
import { RetriesExhausted, retryDelay } from './retry.js';

// The loader's flow with a publisher stand-in (unit: no Kafka). The real publisher is exercised
// by the integration test.

function line(id: string, userId = 'usr-1'): string {
  return JSON.stringify({
    type: 'usage',
    id,
    tenant: 'acme',
    ts: '2024-05-01T08:00:00.000Z',
    accountId: 'acc-1',
    userId,
  });
}

class RecordingPort implements PublishPort {
  readonly batches: string[][] = [];
  inFlight = 0;
  maxInFlight = 0;
  started = 0;

  constructor(private readonly failAt: (call: number) => boolean = () => false) {}

  start(): Promise<void> {
    this.started += 1;
    return Promise.resolve();
  }

  async publish(events: readonly ValidEvent[]): Promise<unknown> {
    const call = this.batches.length + 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight -= 1;
    if (this.failAt(call)) {
      this.batches.push([]);
      throw new CsError('KAFKA_UNAVAILABLE', 'brokers down', { retriable: true });
    }
    this.batches.push(events.map((valid) => valid.event.id));
    return { published: events.length };
  }
}

function options(
  text: string | string[],
  port: PublishPort,
  overrides: Partial<IngestRunOptions> = {},
): IngestRunOptions {
  const chunks = Array.isArray(text) ? text : [text];
  const sleeps: number[] = [];
  return {
    sources: [
      {
        name: 'f.ndjson',
        open: () => Readable.from(chunks.map((c) => Buffer.from(c))),
        size: undefined,
      },
    ],
    port,
    limits: { maxEvents: 2, maxBytes: 1 << 20 },
    maxLineBytes: 10_000,
    retry: { retries: 2, initialDelayMs: 100, maxDelayMs: 1_000 },
    refusals: new RefusalLog(10),
    now: () => 0,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    describeFailure: (error) =>
      error instanceof RetriesExhausted ? `down after ${error.attempts}` : 'other',
    ...overrides,
  };
}

describe('runIngest', () => {
  it('publishes good lines in order, in batches, one batch in flight, refusing bad ones by line', async () => {
    const port = new RecordingPort();
    const text = [line('a'), '{oops', '', line('b'), line('c', ''), line('d'), line('e')].join(
      '\n',
    );
    const report = await runIngest(options(text, port));
    expect(port.batches).toEqual([
      ['a', 'b'],
      ['d', 'e'],
    ]);
    expect(port.maxInFlight).toBe(1);
    expect(report).toMatchObject({ lines: 6, accepted: 4, published: 4, refused: 2 });
    expect(report.failure).toBeUndefined();
    expect(report.firstRefusals.map((refusal) => [refusal.line, refusal.errors[0]])).toEqual([
      [2, expect.stringMatching(/^invalid JSON/)],
      [5, 'usage.userId: must be a string of 1 to 128 characters'],
    ]);
  });

  it('retries a batch while Kafka is unreachable and carries on when it is back', async () => {
    const port = new RecordingPort((call) => call === 2);
    const report = await runIngest(options([line('a'), line('b'), line('c')].join('\n'), port));
    expect(port.batches).toEqual([['a', 'b'], [], ['c']]);
    expect(report.published).toBe(3);
    expect(report.failure).toBeUndefined();
  });

  it('stops when retries run out, reporting what is safely in Kafka and where', async () => {
    const port = new RecordingPort((call) => call >= 2);
    const text = [line('a'), line('b'), line('c'), line('d'), line('e')].join('\n');
    const report = await runIngest(options(text, port));
    expect(report.published).toBe(2);
    expect(report.failure).toEqual({
      message: 'down after 3',
      safeThrough: { file: 'f.ndjson', line: 2 },
    });
    // The first batch, then the second tried 1 + 2 times; nothing after it was attempted.
    expect(port.batches).toEqual([['a', 'b'], [], [], []]);
  });

  it('backs off exponentially between retries, capped', () => {
    const policy = { retries: 10, initialDelayMs: 500, maxDelayMs: 8_000 };
    expect([0, 1, 2, 3, 4, 5].map((attempt) => retryDelay(policy, attempt))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 8_000,
    ]);
  });

  it('reports a publisher that cannot start as a failure with nothing published', async () => {
    const port: PublishPort = {
      start: () =>
        Promise.reject(new CsError('REGISTRY_UNAVAILABLE', 'no registry', { retriable: true })),
      publish: () => Promise.reject(new Error('not started')),
    };
    const report = await runIngest(options(line('a'), port));
    expect(report.failure).toEqual({ message: 'down after 3', safeThrough: undefined });
    expect(report.published).toBe(0);
  });

  it('does not retry what waiting cannot fix', async () => {
    const port: PublishPort = {
      start: () => Promise.reject(new CsError('SCHEMA_INCOMPATIBLE', 'incompatible')),
      publish: () => Promise.resolve(),
    };
    const report = await runIngest(options(line('a'), port));
    expect(report.failure?.message).toBe('other');
  });
});
