import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices } from '@cs/infra/testing';
import { deleteSubjects, deleteTopics } from '@cs/publisher/testing';
import { EVENT_TYPES } from '@cs/schemas';
import { KEY_ACME, post, startTestGateway, type TestGateway } from './gateway.test-support.js';

// Random and malformed payloads against the real gateway (real Kafka and registry): it must never
// crash or answer 5xx, and every refusal must say what was wrong and where.
const services = testServices();
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    name: 'gateway_fuzz',
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
    maxEventBytes: 2048,
    maxRequestBytes: 16 * 1024,
  });
});

afterAll(async () => {
  await gw.stop();
  await deleteTopics(services.kafkaBrokers, gw.topics);
  await deleteSubjects(services.schemaRegistryUrl, gw.topics);
});

const PATHS = ['/v1/events', '/v1/track', '/v1/identify', '/v1/group', '/v1/page', '/v1/batch'];

/** Objects that look like events or Segment calls, often valid, often subtly not. */
const eventLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES, 'track', 'identify', 'group'), fc.jsonValue()),
    id: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue()),
    messageId: fc.string({ minLength: 1, maxLength: 12 }),
    tenant: fc.constantFrom('acme', 'globex', 'Bad Tenant', ''),
    ts: fc.oneof(
      fc.constant('2026-03-01T10:00:00.000Z'),
      fc.integer({ min: 0, max: 5_000_000_000_000 }),
      fc.string(),
    ),
    accountId: fc.string({ maxLength: 8 }),
    userId: fc.string({ maxLength: 8 }),
    groupId: fc.string({ maxLength: 8 }),
    event: fc.string({ maxLength: 8 }),
    count: fc.oneof(fc.integer(), fc.double(), fc.string()),
    properties: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue()),
      fc.jsonValue(),
    ),
    traits: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue()),
    context: fc.record({ groupId: fc.string({ maxLength: 8 }) }, { requiredKeys: [] }),
    status: fc.constantFrom('open', 'closed', 'nope'),
    action: fc.constantFrom('start', 'cancel', 'pause'),
    amount: fc.oneof(fc.double(), fc.string({ maxLength: 6 })),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.jsonValue().map((value) => ({ text: JSON.stringify(value), records: undefined })),
  eventLike.map((value) => ({ text: JSON.stringify(value), records: undefined })),
  fc.array(fc.oneof(eventLike, fc.jsonValue()), { maxLength: 20 }).map((values) => ({
    text: JSON.stringify(values),
    records: values.length,
  })),
  fc.array(eventLike, { maxLength: 20 }).map((values) => ({
    text: JSON.stringify({ batch: values }),
    records: undefined,
  })),
  fc
    .array(
      fc.oneof(
        eventLike.map((value) => JSON.stringify(value)),
        fc.string(),
      ),
      { maxLength: 20 },
    )
    .map((lines) => ({ text: lines.join('\n'), records: undefined })),
  fc.string({ maxLength: 200 }).map((text) => ({ text, records: undefined })),
  fc
    .string({ minLength: 2000, maxLength: 20_000 })
    .map((text) => ({ text: JSON.stringify({ type: 'usage', text }), records: undefined })),
);

const request = fc.record({
  path: fc.constantFrom(...PATHS),
  contentType: fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain'),
  key: fc.oneof(
    { weight: 9, arbitrary: fc.constant(KEY_ACME) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  ),
  body,
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

describe('gateway under random input', () => {
  it('never answers 5xx, and explains every refusal', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ path, contentType, key, body: { text, records } }) => {
        const answer = await post(`${gw.gateway.url}${path}`, text, { contentType, key });
        expect([200, 400, 401, 413]).toContain(answer.status);
        const reply = answer.body;
        if (!isRecord(reply)) throw new Error(`not a JSON object: ${String(reply)}`);
        expect(typeof reply.accepted).toBe('number');
        if ('error' in reply) {
          expect(answer.status).not.toBe(200);
          expect(reply.accepted).toBe(0);
          const error = isRecord(reply.error) ? reply.error : {};
          expect(typeof error.code).toBe('string');
          expect(error.message).toMatch(/\S/);
          return;
        }
        const refused = reply.refused;
        if (!Array.isArray(refused)) throw new Error('no refused list');
        const indexes = new Set<number>();
        for (const entry of refused as unknown[]) {
          if (!isRecord(entry)) throw new Error('a refusal is not an object');
          expect(Number.isInteger(entry.index) && Number(entry.index) >= 0).toBe(true);
          indexes.add(Number(entry.index));
          expect(Array.isArray(entry.errors) && entry.errors.length > 0).toBe(true);
          // Every reason names a field (or the line / event) and a rule: `field: rule`.
          for (const error of entry.errors as unknown[]) expect(error).toMatch(/^[^:\s][^:]*: \S/);
        }
        expect(indexes.size).toBe(refused.length);
        if (answer.status === 200) expect(reply.accepted).toBeGreaterThanOrEqual(0);
        else {
          expect(reply.accepted).toBe(0);
          expect(refused.length).toBeGreaterThan(0);
        }
        if (
          records !== undefined &&
          path === '/v1/events' &&
          contentType !== 'application/x-ndjson'
        ) {
          expect(Number(reply.accepted) + refused.length).toBe(records);
        }
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
