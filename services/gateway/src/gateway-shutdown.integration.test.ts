import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { testServices } from '@cs/infra/testing';
import { deleteSubjects, deleteTopics } from '@cs/publisher/testing';
import { KEY_ACME, publishedById, startTestGateway } from './gateway.test-support.js';

// Graceful shutdown: stop() lets a request already in flight finish (and publish), then closes.
const services = testServices();
const gw = await startTestGateway({
  name: 'gateway_shutdown',
  brokers: services.kafkaBrokers,
  registryUrl: services.schemaRegistryUrl,
});

afterAll(async () => {
  await gw.stop();
  await deleteTopics(services.kafkaBrokers, gw.topics);
  await deleteSubjects(services.schemaRegistryUrl, gw.topics);
});

const line = (id: string): string =>
  JSON.stringify({ type: 'usage', id, ts: 1_772_359_200_000, accountId: 'a', userId: 'u' });

describe('stop()', () => {
  it('finishes the request in flight, publishes it, then refuses new connections', async () => {
    const target = new URL(`${gw.gateway.url}/v1/events`);
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: {
        'content-type': 'application/x-ndjson',
        authorization: `Bearer ${KEY_ACME}`,
        'transfer-encoding': 'chunked',
      },
    });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    req.write(`${line('shutdown-1')}\n`);
    await sleep(200);

    let stopped = false;
    const stopping = gw.gateway.stop().then(() => (stopped = true));
    await sleep(200);
    expect(stopped).toBe(false);
    req.end(`${line('shutdown-2')}\n`);

    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ accepted: 2, refused: [] });
    await stopping;
    await expect(fetch(`${gw.gateway.url}/healthz`)).rejects.toThrow();
    const kafka = await publishedById(gw.topics);
    expect([...kafka.keys()].sort()).toEqual(['shutdown-1', 'shutdown-2']);
  });
});
