import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event.js';
import { parseSessionizerConfig } from './config.js';
import type { SessionizerOutput } from './outputs.js';
import { sessionIdOf } from './session-id.js';
import { MINUTE, usage } from './test-events.test-support.js';
import { createUserState, evictDays, heldEventCount, type UserState } from './user-state.js';

const config = parseSessionizerConfig({ timeoutMs: 30 * MINUTE });
const at = (hhmm: string, day = '2026-03-02') => `${day}T${hhmm}:00Z`;

/** Applies events in turn and returns every output, with the final state. */
function run(events: ReturnType<typeof usage>[], state: UserState = createUserState('t1', 'u1')) {
  const outputs: SessionizerOutput[] = [];
  const outcomes: string[] = [];
  for (const event of events) {
    const result = applyEvent(state, event, config);
    outputs.push(...result.outputs);
    outcomes.push(result.outcome);
  }
  return { state, outputs, outcomes };
}

const compact = (outputs: readonly SessionizerOutput[]) =>
  outputs.map((output) => {
    switch (output.kind) {
      case 'session':
        return `${output.row.sign > 0 ? '+' : '-'}session ${output.row.events}ev ${output.row.durationMs / MINUTE}m`;
      case 'time':
        return `${output.row.sign > 0 ? '+' : '-'}time ${output.row.module || "''"} ${output.row.ms / MINUTE}m`;
      case 'activity':
        return `activity ${output.row.eventId}`;
      case 'late':
        return `late ${output.row.eventId} held from ${output.row.heldFromDay}`;
    }
  });

describe('applyEvent', () => {
  it('in order, only extends the last session: -old +new session and one +gap time row', () => {
    const { outputs } = run([
      usage('e1', at('09:00'), { module: 'Reports' }),
      usage('e2', at('09:10'), { module: 'Billing' }),
      usage('e3', at('09:25'), { module: 'Billing' }),
      usage('e4', at('10:30'), { module: 'Reports' }),
    ]);
    expect(compact(outputs)).toEqual([
      'activity e1',
      '+session 1ev 0m',
      'activity e2',
      '-session 1ev 0m',
      '+session 2ev 10m',
      '+time Reports 10m',
      'activity e3',
      '-session 2ev 10m',
      '+session 3ev 25m',
      '+time Billing 15m',
      'activity e4',
      '+session 1ev 0m',
    ]);
  });

  it('an event landing inside a held day corrects only the sessions it touches', () => {
    const { outputs } = run([
      usage('e1', at('09:00'), { module: 'Reports' }),
      usage('e3', at('09:40'), { module: 'Billing' }),
      usage('e9', at('15:00')),
      // Bridges the 40-minute gap: the two morning sessions become one; 15:00 is untouched.
      usage('e2', at('09:20'), { module: 'Billing' }),
    ]);
    expect(compact(outputs.slice(-6))).toEqual([
      'activity e2',
      '-session 1ev 0m',
      '-session 1ev 0m',
      '+session 3ev 40m',
      '+time Reports 20m',
      '+time Billing 20m',
    ]);
  });

  it('a duplicate id changes nothing, even with other content', () => {
    const { outputs, outcomes } = run([
      usage('e1', at('09:00')),
      usage('e1', at('09:00')),
      usage('e1', at('09:20'), { module: 'Other' }),
    ]);
    expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(compact(outputs)).toEqual(['activity e1', '+session 1ev 0m']);
  });

  it('emits an activity row per distinct event with its feature and count', () => {
    const { outputs } = run([
      usage('e1', at('09:00'), { module: 'Reports', product: 'P', feature: 'export', count: 3 }),
    ]);
    expect(outputs[0]).toEqual({
      kind: 'activity',
      row: {
        tenant: 't1',
        userId: 'u1',
        accountId: 'a1',
        day: '2026-03-02',
        module: 'Reports',
        product: 'P',
        feature: 'export',
        count: 3,
        ts: Date.parse(at('09:00')),
        eventId: 'e1',
      },
    });
  });

  it('late beyond the horizon: activity and a late row, no session or time; its retry is a duplicate', () => {
    const { outputs, outcomes, state } = run([
      usage('e1', at('09:00', '2026-03-01')),
      usage('e2', at('09:00', '2026-03-03')), // the horizon is now 03-02 … 03-03
      usage('old', at('09:05', '2026-03-01')),
      usage('old', at('09:05', '2026-03-01')),
      usage('e1', at('09:00', '2026-03-01')), // released, but remembered for dedup
    ]);
    expect(outcomes).toEqual(['applied', 'applied', 'late', 'duplicate', 'duplicate']);
    expect(compact(outputs.slice(-2))).toEqual(['activity old', 'late old held from 2026-03-02']);
    expect(state.days.map((day) => day.day)).toEqual(['2026-03-03']);
  });

  it('holds the previous day: a late event for yesterday corrects yesterday', () => {
    const { outputs, outcomes } = run([
      usage('e1', at('23:00', '2026-03-01')),
      usage('e2', at('08:00', '2026-03-02')),
      usage('e0', at('22:50', '2026-03-01')),
    ]);
    expect(outcomes).toEqual(['applied', 'applied', 'applied']);
    expect(compact(outputs.slice(-4))).toEqual([
      'activity e0',
      '-session 1ev 0m',
      '+session 2ev 10m',
      "+time '' 10m",
    ]);
    const plus = outputs.at(-2);
    expect(plus?.kind === 'session' && plus.row.sessionId).toBe(
      sessionIdOf('t1', 'u1', '2026-03-01', 'e0'),
    );
  });

  it('refuses an event of another user', () => {
    expect(() =>
      applyEvent(createUserState('t1', 'u1'), usage('e1', at('09:00'), { userId: 'u2' }), config),
    ).toThrow(expect.objectContaining({ code: 'wrong_user' }));
  });
});

describe('evictDays', () => {
  it('releases days before the horizon of "now"; an event for them is then late', () => {
    const { state } = run([
      usage('e1', at('09:00', '2026-03-01')),
      usage('e2', at('09:00', '2026-03-02')),
    ]);
    // Two held days by default: "now" 03-02 still holds 03-01; 03-03 releases it.
    expect(evictDays(state, '2026-03-02', config).evictedDays).toEqual([]);
    expect(evictDays(state, '2026-03-03', config).evictedDays).toEqual(['2026-03-01']);
    expect(evictDays(state, '2026-03-03', config).evictedDays).toEqual([]);
    expect(heldEventCount(state)).toBe(1);
    expect(applyEvent(state, usage('e3', at('10:00', '2026-03-01')), config).outcome).toBe('late');
    expect(applyEvent(state, usage('e1', at('09:00', '2026-03-01')), config).outcome).toBe(
      'duplicate',
    );
    expect(evictDays(state, '2026-03-10', config).evictedDays).toEqual(['2026-03-02']);
    expect(state.days).toEqual([]);
    expect(state.contexts).toEqual([]);
  });

  it('never moves the horizon back', () => {
    const { state } = run([usage('e1', at('09:00', '2026-03-05'))]);
    evictDays(state, '2026-03-10', config);
    evictDays(state, '2026-03-01', config);
    expect(applyEvent(state, usage('e2', at('09:00', '2026-03-08')), config).outcome).toBe('late');
  });
});
