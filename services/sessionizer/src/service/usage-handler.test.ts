import type { OutputRecord, SourceRecord } from '@cs/runtime';
import type { Codec, UsageRecord } from '@cs/schemas';
import { describe, expect, it } from 'vitest';
import { dayString } from '../local-day.js';
import type { SessionizerOutput } from '../outputs.js';
import { generateUsage, interleave, prng, shufflePerUser } from './generate-usage.test-support.js';
import {
  nettedOf,
  quietLogger,
  referenceRun,
  testTenants,
  validUsage,
  type UsageInput,
} from './sessionizer.test-support.js';
import type { SessionizerTopics } from './sessionizer-topics.js';
import { tenantConfigs } from './tenant-configs.js';
import { UsageHandler } from './usage-handler.js';

const topics: SessionizerTopics = {
  usage: 'usage',
  session: 'session',
  timeSlice: 'time-slice',
  activity: 'activity',
  late: 'late',
  changelog: 'changelog',
  deadLetter: 'dlq',
};

/** Records as JSON instead of Avro: this test reads back what the handler emitted. */
const jsonCodec: Codec = {
  encode: (name, record) => Buffer.from(JSON.stringify({ name, record })),
  decode: () => Promise.reject(new Error('the handler never decodes')),
};

interface Decoded {
  name: string;
  record: Record<string, unknown> & { day: number };
}

/** The committed derived records as core outputs (days back to strings), for nettedOf. */
function outputsOf(records: readonly OutputRecord[]): SessionizerOutput[] {
  return records.flatMap((record): SessionizerOutput[] => {
    if (record.topic === topics.changelog || record.value === null) return [];
    const { name, record: fields } = JSON.parse(record.value.toString('utf8')) as Decoded;
    const row = { ...fields, day: dayString(fields.day) };
    if (name === 'derived-session') return [{ kind: 'session', row } as SessionizerOutput];
    if (name === 'derived-time-slice') return [{ kind: 'time', row } as SessionizerOutput];
    if (name === 'derived-enriched-usage') return [{ kind: 'activity', row } as SessionizerOutput];
    return [{ kind: 'late', row } as SessionizerOutput];
  });
}

const usageRecords = (inputs: readonly UsageInput[]): UsageRecord[] =>
  inputs.flatMap((input) => {
    const valid = validUsage(input);
    return valid.type === 'usage' && 'userId' in valid.record ? [valid.record] : [];
  });

const source = (offset: number): SourceRecord => ({
  topic: topics.usage,
  partition: 0,
  offset: String(offset),
  key: null,
  value: null,
  headers: {},
  timestamp: '0',
});

/**
 * How a unit fails: its delivery (after `beforeDeliver`), or the batch mid-way through the unit
 * (after `handled` of its records, before `beforeDeliver` was called).
 */
type Failure =
  { readonly kind: 'none' | 'delivery' } | { readonly kind: 'mid-unit'; handled: number };

/**
 * The consumer shell around the handler, one partition, in memory: units of `unitSize` records,
 * delivered all or nothing; a failed unit (`fails`) commits nothing and the shell redelivers from
 * the committed offset, as kafkajs does. The restore reads the committed changelog.
 */
async function runShell(
  events: readonly UsageRecord[],
  unitSize: number,
  fails: () => Failure,
): Promise<{ committed: OutputRecord[]; failures: number; restores: number }> {
  const committed: OutputRecord[] = [];
  let restores = 0;
  const handler = new UsageHandler({
    usageTopic: topics.usage,
    changelogTopic: topics.changelog,
    encoding: { topics, codec: jsonCodec },
    configFor: tenantConfigs(testTenants(), { logger: quietLogger }),
    restore: (partition, state) => {
      restores += 1;
      for (const record of committed) {
        if (record.topic === topics.changelog && record.partition === partition) {
          state.restoreRecord(String(record.key), record.value);
        }
      }
      return Promise.resolve();
    },
    logger: quietLogger,
  });
  handler.assigned([{ topic: topics.usage, partition: 0 }]);
  let next = 0;
  let failures = 0;
  while (next < events.length) {
    const failure = fails();
    const end = Math.min(
      events.length,
      next + (failure.kind === 'mid-unit' ? failure.handled : unitSize),
    );
    const unit: OutputRecord[] = [];
    for (let offset = next; offset < end; offset += 1) {
      const data = events[offset];
      if (data === undefined) throw new Error(`no event at ${offset}`);
      const result = await handler.handle({ data, source: source(offset), attempt: 1 });
      if (result.kind !== 'ok') throw new Error(`offset ${offset}: ${result.kind}`);
      unit.push(...(result.outputs ?? []));
    }
    if (failure.kind === 'mid-unit') {
      failures += 1;
      continue;
    }
    unit.push(...handler.changelogFor({ topic: topics.usage, partition: 0 }));
    if (failure.kind === 'delivery') {
      failures += 1;
      continue;
    }
    committed.push(...unit);
    next = end;
  }
  return { committed, failures, restores };
}

describe('UsageHandler netting per commit unit', () => {
  const inputs = shufflePerUser(interleave(generateUsage(30, 25, 3)), 11);
  const events = usageRecords(inputs);
  const reference = referenceRun(inputs);

  it('delivers the same figures as the rows one by one, in fewer session and time records', async () => {
    const { committed } = await runShell(events, 400, () => ({ kind: 'none' }));
    expect(nettedOf(outputsOf(committed))).toEqual(reference);
    const derived = outputsOf(committed).filter((o) => o.kind === 'session' || o.kind === 'time');
    const raw = await runShell(events, 1, () => ({ kind: 'none' }));
    const rawDerived = outputsOf(raw.committed).filter(
      (o) => o.kind === 'session' || o.kind === 'time',
    );
    expect(derived.length).toBeLessThan(rawDerived.length * 0.75);
  });

  it('drops the net rows of a failed unit with the state, so redelivery counts them once', async () => {
    const random = prng(5);
    const run = await runShell(events, 37, () => {
      const draw = random();
      if (draw < 0.15) return { kind: 'delivery' };
      if (draw < 0.3) return { kind: 'mid-unit', handled: 1 + Math.floor(random() * 36) };
      return { kind: 'none' };
    });
    expect(run.failures).toBeGreaterThan(6);
    expect(run.restores).toBe(run.failures + 1);
    expect(nettedOf(outputsOf(run.committed))).toEqual(reference);
  });
});
