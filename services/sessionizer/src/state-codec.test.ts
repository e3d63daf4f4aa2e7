import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event.js';
import { parseSessionizerConfig } from './config.js';
import { decodeUserState, encodeUserState, USER_STATE_VERSION } from './state-codec.js';
import { MINUTE, usage } from './test-events.test-support.js';
import { createUserState, type UserState } from './user-state.js';

const config = parseSessionizerConfig({ timeoutMs: 30 * MINUTE, timeZone: 'Europe/Paris' });

function populated(): UserState {
  const state = createUserState('tenant-ü', 'user/1');
  const events = [
    usage('old-1', '2026-03-01T09:00:00Z', { module: 'Reports', product: 'P' }),
    usage('e-1', '2026-03-02T09:00:00Z', { module: '__proto__', accountId: 'a2' }),
    usage('e-2', '2026-03-02T09:00:00Z', { module: 'Billing' }),
    usage('e-3', '2026-03-02T09:17:00.123Z', { product: 'Q' }),
    usage('e-4', '2026-03-03T07:00:00Z', { module: 'Reports', product: 'P' }),
    usage('late', '2026-03-01T10:00:00Z'),
  ].map((event) => ({ ...event, tenant: 'tenant-ü', userId: 'user/1' }));
  for (const event of events) applyEvent(state, event, config);
  return state;
}

function persisted(state: UserState) {
  return {
    tenant: state.tenant,
    userId: state.userId,
    latestDay: state.latestDay,
    heldFromDay: state.heldFromDay,
    contexts: state.contexts,
    days: state.days.map(({ dayNumber, day, ts, ids, contexts }) => ({
      dayNumber,
      day,
      ts,
      ids,
      contexts,
    })),
    recentIds: state.recentIds,
    heldIds: [...state.heldIds].sort(),
    recentIdSet: [...state.recentIdSet].sort(),
    contextIndex: [...state.contextIndex].sort(),
  };
}

describe('user state codec', () => {
  it('round-trips a populated state, indexes included', () => {
    const state = populated();
    expect(state.recentIds).toEqual(['old-1', 'late']);
    const decoded = decodeUserState(encodeUserState(state));
    expect(persisted(decoded)).toEqual(persisted(state));
    expect(encodeUserState(decoded)).toEqual(encodeUserState(state));
  });

  it('round-trips an empty state', () => {
    const state = createUserState('t', 'u');
    expect(persisted(decodeUserState(encodeUserState(state)))).toEqual(persisted(state));
  });

  it('a decoded state goes on exactly like the original', () => {
    const original = populated();
    const restored = decodeUserState(encodeUserState(original));
    const next = { ...usage('e-5', '2026-03-03T07:10:00Z'), tenant: 'tenant-ü', userId: 'user/1' };
    const late = { ...usage('e-0', '2026-03-03T06:55:00Z'), tenant: 'tenant-ü', userId: 'user/1' };
    for (const event of [next, late]) {
      expect(applyEvent(restored, event, config).outputs).toEqual(
        applyEvent(original, event, config).outputs,
      );
    }
  });

  it('starts with its version byte and refuses an unknown version or damaged bytes', () => {
    const bytes = encodeUserState(populated());
    expect(bytes[0]).toBe(USER_STATE_VERSION);
    const future = Buffer.from(bytes);
    future[0] = 99;
    expect(() => decodeUserState(future)).toThrow(
      expect.objectContaining({ code: 'state_version_unknown' }),
    );
    expect(() => decodeUserState(bytes.subarray(0, bytes.length - 3))).toThrow(
      expect.objectContaining({ code: 'state_corrupt' }),
    );
    expect(() => decodeUserState(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(
      expect.objectContaining({ code: 'state_corrupt' }),
    );
    expect(() => decodeUserState(Buffer.alloc(0))).toThrow(
      expect.objectContaining({ code: 'state_corrupt' }),
    );
  });

  it('is compact: a few bytes per held event beyond its id', () => {
    const state = createUserState('t1', 'u1');
    for (let i = 0; i < 200; i += 1) {
      const id = `evt-${String(i).padStart(6, '0')}`; // 10 bytes
      applyEvent(
        state,
        usage(id, Date.parse('2026-03-02T08:00:00Z') + i * 37_000, { module: i % 2 ? 'A' : 'B' }),
        config,
      );
    }
    const bytes = encodeUserState(state).length;
    // id (1 + 10) + ts delta (3) + context (1) = 15 bytes per event, plus a small header.
    expect(bytes).toBeLessThan(200 * 16 + 64);
  });
});
