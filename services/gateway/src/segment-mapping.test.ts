import { describe, expect, it } from 'vitest';
import { validateEvent } from '@cs/schemas';
import { mapSegmentCall, segmentErrors, type SegmentCallType } from './segment-mapping.js';

const RECEIVED = Date.UTC(2026, 2, 1, 12, 0, 0);
const TS = '2026-03-01T10:00:00.000Z';

/** Maps then validates, as the gateway does: the canonical event, or the refusal's messages. */
function accept(call: unknown, type?: SegmentCallType): unknown {
  const mapped = mapSegmentCall(call, {
    receivedAt: RECEIVED,
    ...(type === undefined ? {} : { type }),
  });
  if (!mapped.ok) return { refused: mapped.errors };
  const result = validateEvent(mapped.event, { tenant: 'acme' });
  return result.ok ? result.event : { refused: segmentErrors(result.errors, mapped.renames) };
}

describe('Segment calls onto canonical events', () => {
  it.each<[string, SegmentCallType | undefined, Record<string, unknown>, unknown]>([
    [
      'track: the event name is the feature; properties map onto usage fields',
      'track',
      {
        messageId: 'm1',
        userId: 'u1',
        event: 'Report Exported',
        timestamp: TS,
        context: { groupId: 'acc-1' },
        properties: {
          module: 'reports',
          product: 'app',
          count: 3,
          plan: 'pro',
          seats: 5,
          beta: true,
          tags: ['a'],
        },
      },
      {
        type: 'usage',
        id: 'm1',
        tenant: 'acme',
        ts: TS,
        accountId: 'acc-1',
        userId: 'u1',
        product: 'app',
        module: 'reports',
        feature: 'Report Exported',
        count: 3,
        properties: { plan: 'pro', seats: '5', beta: 'true', tags: '["a"]' },
      },
    ],
    [
      'track: properties.feature wins and the event name is kept as properties.event',
      'track',
      {
        messageId: 'm2',
        userId: 'u1',
        event: 'Clicked',
        timestamp: TS,
        properties: { feature: 'export', accountId: 'acc-2' },
      },
      {
        type: 'usage',
        id: 'm2',
        tenant: 'acme',
        ts: TS,
        accountId: 'acc-2',
        userId: 'u1',
        feature: 'export',
        count: 1,
        properties: { event: 'Clicked' },
      },
    ],
    [
      'track: anonymousId stands in for userId; no timestamp means the time received',
      'track',
      { messageId: 'm3', anonymousId: 'anon-1', event: 'Opened', properties: { groupId: 'acc-3' } },
      {
        type: 'usage',
        id: 'm3',
        tenant: 'acme',
        ts: '2026-03-01T12:00:00.000Z',
        accountId: 'acc-3',
        userId: 'anon-1',
        feature: 'Opened',
        count: 1,
        properties: {},
      },
    ],
    [
      'page: plain activity without a feature, the page name kept',
      'page',
      {
        messageId: 'p1',
        userId: 'u1',
        name: 'Dashboard',
        originalTimestamp: TS,
        context: { groupId: 'acc-1' },
        properties: { module: 'home', path: '/' },
      },
      {
        type: 'usage',
        id: 'p1',
        tenant: 'acme',
        ts: TS,
        accountId: 'acc-1',
        userId: 'u1',
        module: 'home',
        count: 1,
        properties: { path: '/', name: 'Dashboard' },
      },
    ],
    [
      'identify: a user of the account in context.groupId',
      'identify',
      {
        messageId: 'i1',
        userId: 'u1',
        timestamp: TS,
        context: { groupId: 'acc-1' },
        traits: { email: 'ada@example.com', role: 'admin', name: 'Ada' },
      },
      {
        type: 'user',
        id: 'i1',
        tenant: 'acme',
        ts: TS,
        userId: 'u1',
        accountId: 'acc-1',
        email: 'ada@example.com',
        role: 'admin',
        attributes: { name: 'Ada' },
      },
    ],
    [
      'identify: the account from traits.accountId',
      'identify',
      { messageId: 'i2', userId: 'u2', timestamp: TS, traits: { accountId: 'acc-9' } },
      {
        type: 'user',
        id: 'i2',
        tenant: 'acme',
        ts: TS,
        userId: 'u2',
        accountId: 'acc-9',
        attributes: {},
      },
    ],
    [
      'group: an account with its name, parent and other traits as attributes',
      'group',
      {
        messageId: 'g1',
        groupId: 'acc-1',
        userId: 'u1',
        timestamp: TS,
        traits: { name: 'Initech', parentId: 'acc-root', joinDate: '2024-02-29', employees: 50 },
      },
      {
        type: 'account',
        id: 'g1',
        tenant: 'acme',
        ts: TS,
        accountId: 'acc-1',
        name: 'Initech',
        parentId: 'acc-root',
        joinDate: '2024-02-29',
        attributes: { employees: '50' },
      },
    ],
    [
      'a batch call takes its type from the call',
      undefined,
      { type: 'group', messageId: 'g2', groupId: 'acc-2', timestamp: TS },
      { type: 'account', id: 'g2', tenant: 'acme', ts: TS, accountId: 'acc-2', attributes: {} },
    ],
  ])('%s', (_name, type, call, expected) => {
    expect(accept(call, type)).toEqual(expected);
  });

  it.each<[string, SegmentCallType | undefined, unknown, string[]]>([
    [
      'track without an account',
      'track',
      { messageId: 'm', userId: 'u', event: 'e' },
      ['context.groupId: required for track (the account; or properties.accountId)'],
    ],
    [
      'track without a user',
      'track',
      { messageId: 'm', event: 'e', context: { groupId: 'a' } },
      ['userId: required (or anonymousId)'],
    ],
    [
      'track without an event name',
      'track',
      { messageId: 'm', userId: 'u', context: { groupId: 'a' } },
      ['event: required for track'],
    ],
    [
      'a call without messageId',
      'group',
      { groupId: 'a' },
      ['messageId: required (the event id; send the same one when retrying)'],
    ],
    [
      'identify without userId',
      'identify',
      { messageId: 'm', anonymousId: 'x', traits: { accountId: 'a' } },
      ['userId: required for identify'],
    ],
    [
      'identify without an account',
      'identify',
      { messageId: 'm', userId: 'u' },
      ['context.groupId: required for identify (the account; or traits.accountId)'],
    ],
    [
      'group without groupId',
      'group',
      { messageId: 'm', traits: { name: 'x' } },
      ['groupId: required for group'],
    ],
    [
      'properties that are not an object',
      'track',
      { messageId: 'm', userId: 'u', event: 'e', properties: 'x', context: { groupId: 'a' } },
      ['properties: must be an object'],
    ],
    [
      'a batch call of an unknown type',
      undefined,
      { type: 'alias', messageId: 'm' },
      ['type: must be one of track, identify, group, page, screen'],
    ],
    ['a call that is not an object', 'track', [1, 2], ['call: must be a JSON object']],
    // Validation errors come back in Segment's terms.
    [
      'a count that is not a positive integer',
      'track',
      {
        messageId: 'm',
        userId: 'u',
        event: 'e',
        context: { groupId: 'a' },
        properties: { count: 0 },
      },
      ['properties.count: must be an integer ≥ 1 (at most 2147483647)'],
    ],
    [
      'a timestamp without an offset',
      'track',
      {
        messageId: 'm',
        userId: 'u',
        event: 'e',
        context: { groupId: 'a' },
        timestamp: '2026-03-01T10:00:00',
      },
      ['timestamp: must be ISO-8601 with an offset or epoch milliseconds'],
    ],
    [
      'a joinDate that is not a date',
      'group',
      { messageId: 'm', groupId: 'a', timestamp: TS, traits: { joinDate: '2024-02-30' } },
      ['traits.joinDate: must be a calendar date YYYY-MM-DD'],
    ],
    [
      'an email that is not text',
      'identify',
      { messageId: 'm', userId: 'u', timestamp: TS, traits: { accountId: 'a', email: 42 } },
      ['traits.email: must be a string of at most 320 characters'],
    ],
    [
      'a messageId too long for an id',
      'group',
      { messageId: 'x'.repeat(129), groupId: 'a', timestamp: TS },
      ['messageId: must be a string of 1 to 128 characters'],
    ],
  ])('refuses %s, naming the field', (_name, type, call, expected) => {
    expect(accept(call, type)).toEqual({ refused: expected });
  });

  it('takes a batch context under the call’s own', () => {
    const mapped = mapSegmentCall(
      { type: 'track', messageId: 'm', userId: 'u', event: 'e', timestamp: TS },
      { receivedAt: RECEIVED, batchContext: { groupId: 'from-batch' } },
    );
    expect(mapped.ok && mapped.event.accountId).toBe('from-batch');
  });

  it('never takes the tenant from the body', () => {
    const mapped = mapSegmentCall(
      { type: 'group', messageId: 'm', groupId: 'a', tenant: 'other', timestamp: TS },
      { receivedAt: RECEIVED },
    );
    expect(mapped.ok && 'tenant' in mapped.event).toBe(false);
  });
});
