import { describe, expect, it } from 'vitest';
import { validateEvent, type ValidEvent } from '@cs/schemas';
import { Batcher } from './batcher.js';

function usage(id: string): ValidEvent {
  const result = validateEvent({
    type: 'usage',
    id,
    tenant: 'acme',
    ts: 1_740_000_000_000,
    accountId: 'acc-1',
    userId: 'usr-1',
  });
  if (!result.ok) throw new Error('fixture is invalid');
  return result;
}

const at = (line: number) => ({ file: 'f.ndjson', line });

describe('Batcher', () => {
  it('completes a batch at the event limit, in input order, with its last line', () => {
    const batcher = new Batcher({ maxEvents: 2, maxBytes: 1_000 });
    expect(batcher.add(usage('a'), 10, at(1))).toBeUndefined();
    const batch = batcher.add(usage('b'), 10, at(3));
    expect(batch?.events.map((valid) => valid.event.id)).toEqual(['a', 'b']);
    expect(batch?.last).toEqual(at(3));
    expect(batch?.bytes).toBe(20);
    expect(batcher.flush()).toBeUndefined();
  });

  it('completes a batch at the byte limit', () => {
    const batcher = new Batcher({ maxEvents: 100, maxBytes: 25 });
    expect(batcher.add(usage('a'), 10, at(1))).toBeUndefined();
    expect(batcher.add(usage('b'), 10, at(2))).toBeUndefined();
    expect(batcher.add(usage('c'), 10, at(3))?.events).toHaveLength(3);
  });

  it('flushes the partly filled rest at the end', () => {
    const batcher = new Batcher({ maxEvents: 2, maxBytes: 1_000 });
    batcher.add(usage('a'), 1, at(1));
    batcher.add(usage('b'), 1, at(2));
    batcher.add(usage('c'), 1, at(5));
    const rest = batcher.flush();
    expect(rest?.events.map((valid) => valid.event.id)).toEqual(['c']);
    expect(rest?.last).toEqual(at(5));
  });
});
