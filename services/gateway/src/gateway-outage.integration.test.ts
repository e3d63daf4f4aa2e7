import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackDown, stackProfile, stackUp, type StackProfile } from '@cs/infra';
import { testServices } from '@cs/infra/testing';
import { deleteSubjects, readPublished } from '@cs/publisher/testing';
import { validateEvent, type CanonicalEvent } from '@cs/schemas';
import { freePort, post, startTestGateway, type TestGateway } from './gateway.test-support.js';

// A Kafka outage, for real: the gateway points at a throwaway broker of its own, which this test
// starts, stops and starts again on the same data directory. The registry is the shared one.
const services = testServices();
const quiet = (): void => undefined;
let profile: StackProfile;
let brokers: string[];
let gw: TestGateway;

beforeAll(async () => {
  const [kafkaPort, controllerPort] = [await freePort(), await freePort()];
  profile = stackProfile(`gwtest-${randomBytes(4).toString('hex')}`, {
    CS_KAFKA_PORT: String(kafkaPort),
    CS_KAFKA_CONTROLLER_PORT: String(controllerPort),
  });
  brokers = [`127.0.0.1:${kafkaPort}`];
  // Nothing listens on the broker port yet: the gateway must start anyway.
  gw = await startTestGateway({
    name: 'gateway_outage',
    brokers,
    registryUrl: services.schemaRegistryUrl,
  });
});

afterAll(async () => {
  await gw.stop();
  await stackDown(profile, { services: ['kafka'], log: quiet });
  rmSync(profile.dir, { recursive: true, force: true });
  await deleteSubjects(services.schemaRegistryUrl, gw.topics);
});

function batch(prefix: string, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    type: i % 3 === 0 ? 'account' : 'usage',
    id: `${prefix}-${i}`,
    ts: 1_772_359_200_000 + i,
    accountId: `acc-${i % 4}`,
    ...(i % 3 === 0
      ? { name: `Account ${i}` }
      : { userId: `user-${i % 5}`, feature: 'f', count: i + 1 }),
  }));
}

/** A well-behaved client: on 503 it waits Retry-After seconds and sends the same body again. */
async function sendUntilAccepted(
  events: Record<string, unknown>[],
  statuses: number[],
): Promise<void> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const answer = await post(`${gw.gateway.url}/v1/events`, JSON.stringify(events));
    statuses.push(answer.status);
    if (answer.status === 200) {
      expect(answer.body).toEqual({ accepted: events.length, refused: [] });
      return;
    }
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ accepted: 0, error: { code: 'KAFKA_UNAVAILABLE' } });
    const retryAfter = Number(answer.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    if (Date.now() > deadline) throw new Error(`still 503 after 150 s: ${statuses.join(',')}`);
    await sleep(retryAfter * 1000);
  }
}

async function readyStatus(): Promise<number> {
  return (await fetch(`${gw.gateway.url}/readyz`)).status;
}

describe('Kafka outage', () => {
  it('answers 503 with Retry-After while Kafka is down, and loses nothing once it is back', async () => {
    const sent = [...batch('first', 30), ...batch('second', 30), ...batch('third', 30)];
    const statuses: number[] = [];

    // 1. Down from the start: 503, nothing reported accepted, not ready.
    const first = sent.slice(0, 30);
    const refused = await post(`${gw.gateway.url}/v1/events`, JSON.stringify(first));
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ accepted: 0 });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await readyStatus()).toBe(503);

    // 2. The broker comes up while the client keeps retrying.
    const retrying = sendUntilAccepted(first, statuses);
    await stackUp(profile, { services: ['kafka'], log: quiet });
    await retrying;
    expect(await readyStatus()).toBe(200);
    await sendUntilAccepted(sent.slice(30, 60), statuses);

    // 3. The broker goes away under a connected producer, then comes back on the same data.
    await stackDown(profile, { services: ['kafka'], log: quiet });
    const during = sendUntilAccepted(sent.slice(60), statuses);
    await sleep(3_000);
    await stackUp(profile, { services: ['kafka'], log: quiet });
    await during;
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(1);

    // Every event is in Kafka exactly as sent, once.
    const records = await readPublished({
      brokers,
      registryUrl: services.schemaRegistryUrl,
      topics: gw.topics,
      timeoutMs: 60_000,
    });
    const expected = sent.map((input): CanonicalEvent => {
      const result = validateEvent(input, { tenant: 'acme' });
      if (!result.ok) throw new Error('fixture');
      return result.event;
    });
    const byId = (a: CanonicalEvent, b: CanonicalEvent): number => a.id.localeCompare(b.id);
    expect(records.map((record) => record.event).sort(byId)).toEqual(expected.sort(byId));
  }, 300_000);
});
