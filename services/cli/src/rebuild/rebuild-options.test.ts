import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import type { LagSnapshot } from '../status/quiescence.js';
import {
  groupsOf,
  parseDuration,
  parseRebuildArgs,
  parseRebuildEnv,
  topicsOfGeneration,
} from './rebuild-options.js';
import { replayCaughtUp, replayProgress } from './rebuild.js';

describe('cs rebuild arguments', () => {
  it('defaults to the cs database, an hour of replay and a progress line every 5 s', () => {
    expect(parseRebuildArgs([], {})).toEqual({
      database: 'cs',
      scratchDatabase: 'cs_rebuild',
      timeoutMs: 3_600_000,
      progressMs: 5000,
    });
  });

  it('takes the database from the flag, else CLICKHOUSE_DATABASE', () => {
    expect(parseRebuildArgs([], { CLICKHOUSE_DATABASE: 'shop' }).scratchDatabase).toBe(
      'shop_rebuild',
    );
    expect(parseRebuildArgs(['-d', 'x1', '--timeout', '10m'], {})).toMatchObject({
      database: 'x1',
      timeoutMs: 600_000,
    });
  });

  it('refuses a bad database name or duration, naming the flag', () => {
    expect(() => parseRebuildArgs(['--database', 'Bad-Name'], {})).toThrow(/--database.*Bad-Name/);
    expect(() => parseRebuildArgs(['--timeout', 'soon'], {})).toThrow(UsageError);
    expect(() => parseDuration('progress-every', '0', 1)).toThrow(/--progress-every.*'0'/);
    expect(parseDuration('timeout', '500ms', 1)).toBe(500);
    expect(() => parseRebuildArgs(['--force'], {})).toThrow(/--force/);
  });
});

describe('generation naming', () => {
  it('suffixes the groups of later generations only', () => {
    const env = parseRebuildEnv({ CS_SINK_GROUP: 'run_sink' });
    expect(groupsOf(env, 0)).toEqual({
      sessionizer: 'cs-sessionizer',
      enricher: 'cs-enricher',
      billing: 'cs-billing',
      sink: 'run_sink',
    });
    expect(groupsOf(env, 2).sink).toBe('run_sink.g2');
  });

  it('finds one generation’s derived topics, never raw, control or another prefix’s', () => {
    const topics = [
      'p_cs.raw.usage',
      'p_cs.control',
      'p_cs.derived.session',
      'p_cs.dlq',
      'p_cs.sessionizer.state',
      'p_cs.derived.session.g1',
      'p_cs.dlq.g1',
      'p_cs.billing.state.g12',
      'q_cs.derived.session',
    ];
    expect(topicsOfGeneration(topics, 'p_', 0)).toEqual([
      'p_cs.derived.session',
      'p_cs.dlq',
      'p_cs.sessionizer.state',
    ]);
    expect(topicsOfGeneration(topics, 'p_', 1)).toEqual(['p_cs.derived.session.g1', 'p_cs.dlq.g1']);
    expect(topicsOfGeneration(topics, 'p_', 12)).toEqual(['p_cs.billing.state.g12']);
    // With no prefix, another deployment's topics (prefix `cs.x_`) are left alone.
    expect(
      topicsOfGeneration(
        ['cs.dlq', 'cs.x_cs.dlq', 'cs.x_cs.derived.session', 'cs.raw.usage'],
        '',
        0,
      ),
    ).toEqual(['cs.dlq']);
  });
});

describe('replay progress', () => {
  const row = (
    group: string,
    topic: string,
    partition: number,
    committed: bigint | null,
    end: bigint,
  ) => ({
    group,
    topic,
    partition,
    committed,
    end,
    lag: end - (committed ?? 0n),
  });
  const rawEnds = new Map([
    ['p_cs.raw.usage[0]', 10n],
    ['p_cs.raw.usage[1]', 5n],
  ]);

  it('counts raw records up to the ends seen at the start, and pending derived records', () => {
    const snapshot: LagSnapshot = {
      rows: [
        row('s.g1', 'p_cs.raw.usage', 0, 12n, 14n),
        row('s.g1', 'p_cs.raw.usage', 1, null, 5n),
        row('k.g1', 'p_cs.derived.session.g1', 0, 3n, 7n),
      ],
      unknownGroups: [],
    };
    expect(replayProgress(snapshot, rawEnds)).toEqual([
      { group: 's.g1', rawDone: 10n, rawTarget: 15n, pending: 0n },
      { group: 'k.g1', rawDone: 0n, rawTarget: 0n, pending: 4n },
    ]);
    expect(replayCaughtUp(snapshot, rawEnds)).toBe(false);
  });

  it('is caught up once the start ends are reached and nothing derived is pending, even if raw grew', () => {
    const snapshot: LagSnapshot = {
      rows: [
        row('s.g1', 'p_cs.raw.usage', 0, 10n, 20n),
        row('s.g1', 'p_cs.raw.usage', 1, 5n, 5n),
        row('k.g1', 'p_cs.derived.session.g1', 0, 7n, 7n),
      ],
      unknownGroups: [],
    };
    expect(replayCaughtUp(snapshot, rawEnds)).toBe(true);
    expect(replayCaughtUp({ ...snapshot, unknownGroups: ['b.g1'] }, rawEnds)).toBe(false);
  });
});
