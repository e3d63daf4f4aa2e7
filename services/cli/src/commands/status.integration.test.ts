import { PassThrough } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { statusCommand } from './status.js';

const services = testServices();
const kafka = new Kafka({
  clientId: 'status-test',
  brokers: services.kafkaBrokers,
  logLevel: logLevel.NOTHING,
});

function captured(env: Record<string, string>): {
  io: Parameters<typeof statusCommand.run>[1];
  out: () => string;
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  stderr.resume();
  return { io: { stdout, stderr, stdin: new PassThrough(), env }, out: () => text };
}

describe('cs status', () => {
  const topic = uniqueName('status');
  const group = `cs-${uniqueName('status_group')}`;
  const admin = kafka.admin();

  afterAll(async () => {
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('reports the real services up, absent ones down (exit 1), and a group’s lag per partition', async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 5 }, (_, i) => ({ value: String(i) })),
    });
    await producer.disconnect();
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] });

    const { io, out } = captured({
      KAFKA_BROKERS: services.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: services.schemaRegistryUrl,
      CLICKHOUSE_URL: services.clickhouseUrl,
      // Nothing listens on port 1: these report down.
      CS_GATEWAY_URL: 'http://127.0.0.1:1',
      CS_SESSIONIZER_URL: 'http://127.0.0.1:1',
      CS_ENRICHER_URL: 'http://127.0.0.1:1',
      CS_BILLING_URL: 'http://127.0.0.1:1',
      CS_SINK_URL: 'http://127.0.0.1:1',
    });
    const code = await statusCommand.run(['--json', '--groups', group], io);
    const report = JSON.parse(out()) as {
      components: Array<{ name: string; state: string }>;
      lag: Array<{
        group: string;
        topic: string;
        partition: number;
        committed: string;
        end: string;
        lag: string;
      }>;
    };
    const state = Object.fromEntries(report.components.map((c) => [c.name, c.state]));
    expect(state).toMatchObject({
      kafka: 'up',
      'schema registry': 'up',
      clickhouse: 'up',
      gateway: 'down',
      sink: 'down',
    });
    expect(code).toBe(1);
    expect(report.lag).toEqual([
      { group, topic, partition: 0, committed: '2', end: '5', lag: '3' },
    ]);
  });
});
