import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices } from '@cs/infra/testing';
import { deleteSubjects, deleteTopics } from '@cs/publisher/testing';
import { post, publishedById, startTestGateway, type TestGateway } from './gateway.test-support.js';

// The Segment-compatible endpoints in-process against real Kafka and registry, on topics of
// their own.
const services = testServices();
const ts = '2026-03-01T10:00:00.000Z';
let gw: TestGateway;
let url: string;

beforeAll(async () => {
  gw = await startTestGateway({
    name: 'gateway_segment',
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
  });
  url = gw.gateway.url;
});

afterAll(async () => {
  await gw.stop();
  await deleteTopics(services.kafkaBrokers, gw.topics);
  await deleteSubjects(services.schemaRegistryUrl, gw.topics);
});

const published = () => publishedById(gw.topics);

describe('Segment-compatible endpoints', () => {
  const context = { groupId: 'acc-7' };

  it('lands each call type as its canonical type', async () => {
    const calls: [string, Record<string, unknown>][] = [
      [
        'track',
        {
          messageId: 'seg-track',
          userId: 'u7',
          event: 'Report Exported',
          timestamp: ts,
          context,
          properties: { module: 'reports', count: 2 },
        },
      ],
      [
        'identify',
        {
          messageId: 'seg-identify',
          userId: 'u7',
          timestamp: ts,
          context,
          traits: { email: 'u7@example.com', role: 'admin' },
        },
      ],
      [
        'group',
        {
          messageId: 'seg-group',
          groupId: 'acc-7',
          timestamp: ts,
          traits: { name: 'Hooli', plan: 'pro' },
        },
      ],
      ['page', { messageId: 'seg-page', userId: 'u7', name: 'Home', timestamp: ts, context }],
    ];
    for (const [type, call] of calls) {
      const answer = await post(`${url}/v1/${type}`, JSON.stringify(call));
      expect(answer, type).toMatchObject({ status: 200, body: { accepted: 1, refused: [] } });
    }
    const kafka = await published();
    expect(kafka.get('seg-track')?.event).toEqual({
      type: 'usage',
      id: 'seg-track',
      tenant: 'acme',
      ts,
      accountId: 'acc-7',
      userId: 'u7',
      module: 'reports',
      feature: 'Report Exported',
      count: 2,
      properties: {},
    });
    expect(kafka.get('seg-identify')?.event).toEqual({
      type: 'user',
      id: 'seg-identify',
      tenant: 'acme',
      ts,
      userId: 'u7',
      accountId: 'acc-7',
      email: 'u7@example.com',
      role: 'admin',
      attributes: {},
    });
    expect(kafka.get('seg-group')?.event).toEqual({
      type: 'account',
      id: 'seg-group',
      tenant: 'acme',
      ts,
      accountId: 'acc-7',
      name: 'Hooli',
      attributes: { plan: 'pro' },
    });
    expect(kafka.get('seg-page')?.event).toMatchObject({
      type: 'usage',
      userId: 'u7',
      count: 1,
      properties: { name: 'Home' },
    });
    expect(kafka.get('seg-page')?.event).not.toHaveProperty('feature');
  });

  it('publishes a batch’s mappable calls and names the field of the others', async () => {
    const answer = await post(
      `${url}/v1/batch`,
      JSON.stringify({
        context,
        batch: [
          { type: 'track', messageId: 'sb-1', userId: 'u8', event: 'Opened', timestamp: ts },
          {
            type: 'track',
            messageId: 'sb-2',
            userId: 'u8',
            event: 'Opened',
            timestamp: ts,
            context: { groupId: 'acc-9' },
          },
          { type: 'identify', messageId: 'sb-3', userId: 'u8', timestamp: ts },
          { type: 'alias', messageId: 'sb-4', userId: 'u8', previousId: 'x' },
          {
            type: 'group',
            messageId: 'sb-5',
            groupId: 'acc-8',
            timestamp: ts,
            traits: { joinDate: 'yesterday' },
          },
        ],
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      accepted: 3,
      refused: [
        { index: 3, errors: ['type: must be one of track, identify, group, page, screen'] },
        { index: 4, errors: ['traits.joinDate: must be a calendar date YYYY-MM-DD'] },
      ],
    });
    const kafka = await published();
    expect(kafka.get('sb-1')?.event).toMatchObject({ type: 'usage', accountId: 'acc-7' });
    // A call's own context wins over the batch's.
    expect(kafka.get('sb-2')?.event).toMatchObject({ type: 'usage', accountId: 'acc-9' });
    expect(kafka.get('sb-3')?.event).toMatchObject({ type: 'user', accountId: 'acc-7' });
    expect(kafka.has('sb-5')).toBe(false);
  });

  it('refuses a track call without an account, naming the field', async () => {
    const answer = await post(
      `${url}/v1/track`,
      JSON.stringify({ messageId: 'sr-1', userId: 'u', event: 'e' }),
    );
    expect(answer).toMatchObject({
      status: 400,
      body: {
        accepted: 0,
        refused: [
          {
            index: 0,
            errors: ['context.groupId: required for track (the account; or properties.accountId)'],
          },
        ],
      },
    });
  });
});
