import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices } from '@cs/infra/testing';
import { deleteSubjects, deleteTopics } from '@cs/publisher/testing';
import { validateEvent, type CanonicalEvent } from '@cs/schemas';
import {
  KEY_ACME,
  KEY_GLOBEX,
  post,
  publishedById,
  startTestGateway,
  type TestGateway,
} from './gateway.test-support.js';

// The gateway in-process on a free port, with real Kafka and registry; this file's topics and
// subjects carry a unique prefix and are deleted afterwards.
const services = testServices();
const MAX_EVENT = 4 * 1024;
const MAX_REQUEST = 64 * 1024;
let gw: TestGateway;
let url: string;

beforeAll(async () => {
  gw = await startTestGateway({
    name: 'gateway',
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
    maxEventBytes: MAX_EVENT,
    maxRequestBytes: MAX_REQUEST,
  });
  url = gw.gateway.url;
});

afterAll(async () => {
  await gw.stop();
  await deleteTopics(services.kafkaBrokers, gw.topics);
  await deleteSubjects(services.schemaRegistryUrl, gw.topics);
});

async function published(): Promise<Map<string, { event: CanonicalEvent; copies: number }>> {
  return publishedById(gw.topics);
}

/** The canonical form Kafka should hold for an accepted input. */
function canonical(input: Record<string, unknown>, tenant = 'acme'): CanonicalEvent {
  const result = validateEvent(input, { tenant });
  if (!result.ok) throw new Error(`fixture refused: ${JSON.stringify(result.errors)}`);
  return result.event;
}

const ts = '2026-03-01T10:00:00.000Z';
const usage = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'usage',
  id,
  ts,
  accountId: 'acc-1',
  userId: 'user-1',
  ...extra,
});

describe('POST /v1/events', () => {
  it('publishes the good records of a mixed batch and refuses only the bad, by index and field', async () => {
    const good = [
      usage('mix-1', { feature: 'export', count: 2 }),
      { type: 'account', id: 'mix-2', ts, accountId: 'acc-1', name: 'Initech', parentId: null },
      {
        type: 'subscription',
        id: 'mix-3',
        ts,
        subscriptionId: 's',
        accountId: 'acc-1',
        action: 'start',
        amount: '99.5',
      },
      {
        type: 'ticket',
        id: 'mix-4',
        tenant: 'acme',
        ts,
        ticketId: 't',
        accountId: 'acc-1',
        status: 'open',
        createdAt: ts,
      },
    ];
    const body = [
      good[0],
      { type: 'usage', id: 'mix-bad-1', ts, accountId: 'acc-1' },
      good[1],
      {
        type: 'subscription',
        id: 'mix-bad-2',
        ts,
        subscriptionId: 's',
        accountId: 'acc-1',
        action: 'start',
        amount: -1,
      },
      good[2],
      'not an event',
      good[3],
    ];
    const answer = await post(`${url}/v1/events`, JSON.stringify(body));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      accepted: 4,
      refused: [
        { index: 1, errors: ['usage.userId: required'] },
        { index: 3, errors: ['subscription.amount: must be ≥ 0'] },
        { index: 5, errors: ['event: must be a JSON object'] },
      ],
    });
    const kafka = await published();
    for (const input of good) {
      const expected = canonical(input);
      expect(kafka.get(expected.id)).toEqual({ event: expected, copies: 1 });
    }
    expect(kafka.has('mix-bad-1')).toBe(false);
    expect(kafka.has('mix-bad-2')).toBe(false);
  });

  it('takes one event, and NDJSON with line numbers in refusals', async () => {
    const single = await post(`${url}/v1/events`, JSON.stringify(usage('nd-0')));
    expect(single).toMatchObject({ status: 200, body: { accepted: 1, refused: [] } });
    const lines = [
      JSON.stringify(usage('nd-1')),
      '',
      '{broken',
      JSON.stringify(usage('nd-2', { count: 0 })),
      JSON.stringify(usage('nd-3')),
    ];
    const answer = await post(`${url}/v1/events`, lines.join('\n'), {
      contentType: 'application/x-ndjson',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      accepted: 2,
      refused: [
        { index: 1, line: 3, errors: [expect.stringMatching(/^line 3: not valid JSON/)] },
        { index: 2, line: 4, errors: ['usage.count: must be an integer ≥ 1 (at most 2147483647)'] },
      ],
    });
    const kafka = await published();
    for (const id of ['nd-0', 'nd-1', 'nd-3'])
      expect(kafka.get(id)?.event).toEqual(canonical(usage(id)));
  });

  it('answers 400 when every record is refused, and publishes nothing', async () => {
    const answer = await post(
      `${url}/v1/events`,
      JSON.stringify([{ type: 'nope', id: 'all-bad' }]),
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ accepted: 0, refused: [{ index: 0 }] });
    expect((await published()).has('all-bad')).toBe(false);
  });

  it('refuses a record whose tenant is not the key’s, and never writes to the other tenant', async () => {
    const answer = await post(
      `${url}/v1/events`,
      JSON.stringify([
        usage('ten-1', { tenant: 'globex' }),
        usage('ten-2', { tenant: 'acme' }),
        usage('ten-3'),
      ]),
    );
    expect(answer).toMatchObject({
      status: 200,
      body: {
        accepted: 2,
        refused: [{ index: 0, errors: ["tenant: does not match the API key's tenant"] }],
      },
    });
    const kafka = await published();
    expect(kafka.has('ten-1')).toBe(false);
    expect(kafka.get('ten-2')?.event.tenant).toBe('acme');
    expect(kafka.get('ten-3')?.event.tenant).toBe('acme');
    // The other key writes to its own tenant.
    const globex = await post(`${url}/v1/events`, JSON.stringify(usage('ten-4')), {
      key: KEY_GLOBEX,
    });
    expect(globex.status).toBe(200);
    expect((await published()).get('ten-4')?.event.tenant).toBe('globex');
  });

  it('answers 401 to an unknown, missing or malformed key, and publishes nothing', async () => {
    for (const [key, headers] of [
      ['wrong-key-0123456789', {}],
      [null, {}],
      [null, { authorization: 'Token abc' }],
      [null, { authorization: `Bearer ${KEY_ACME}x` }],
    ] as const) {
      const answer = await post(`${url}/v1/events`, JSON.stringify(usage('auth-1')), {
        key,
        headers,
      });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(JSON.stringify(answer.body)).not.toContain(KEY_ACME);
    }
    const bearer = await post(`${url}/v1/events`, JSON.stringify(usage('auth-2')), {
      key: null,
      headers: { authorization: `Bearer ${KEY_ACME}` },
    });
    expect(bearer.status).toBe(200);
    const kafka = await published();
    expect(kafka.has('auth-1')).toBe(false);
    expect(kafka.has('auth-2')).toBe(true);
  });

  it('answers 413 to an oversize event, alone; in a batch only that record is refused', async () => {
    const big = usage('big-1', { properties: { blob: 'x'.repeat(MAX_EVENT) } });
    const alone = await post(`${url}/v1/events`, JSON.stringify(big));
    expect(alone).toMatchObject({
      status: 413,
      body: {
        accepted: 0,
        refused: [{ index: 0, errors: [`event: larger than the limit of ${MAX_EVENT} bytes`] }],
      },
    });
    const batch = await post(`${url}/v1/events`, JSON.stringify([usage('big-2'), big]));
    expect(batch).toMatchObject({ status: 200, body: { accepted: 1, refused: [{ index: 1 }] } });
    const kafka = await published();
    expect(kafka.has('big-1')).toBe(false);
    expect(kafka.has('big-2')).toBe(true);
  });

  it('answers 413 to an oversize request, declared or streamed, without reading it all', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => JSON.stringify(usage(`huge-${i}`)));
    const body = events.join('\n');
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_REQUEST);
    const declared = await post(`${url}/v1/events`, body, { contentType: 'application/x-ndjson' });
    expect(declared).toMatchObject({
      status: 413,
      body: { accepted: 0, error: { code: 'REQUEST_TOO_LARGE' } },
    });

    // Chunked, no Content-Length: the gateway must stop at the limit, not at the end.
    const streamed = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const target = new URL(`${url}/v1/events`);
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/x-ndjson',
            authorization: `Bearer ${KEY_ACME}`,
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      // Write past the limit, then hold the upload open: only an early answer ends this.
      req.write(body);
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text)).toMatchObject({ error: { code: 'REQUEST_TOO_LARGE' } });
    expect((await published()).has('huge-0')).toBe(false);
  });
});

describe('probes and routing', () => {
  it('is alive and ready with Kafka and the registry up', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ kafka: true, registry: true });
  });

  it('answers 404 and 405 with a JSON reason', async () => {
    expect((await post(`${url}/v2/events`, '{}')).status).toBe(404);
    const get = await fetch(`${url}/v1/events`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
