import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { usage } from './derived-records.test-support.js';
import {
  prepareSinkRun,
  silentLogger,
  warehouseQueries,
  type SinkRun,
} from './sink-harness.test-support.js';
import { startSink, type Sink } from './sink.js';

// Regression: the processors publish in Kafka transactions, so each partition of a derived topic
// ends with a commit marker that kafkajs never hands to eachBatch. The sink committed "last record
// + 1" only, so its lag stayed at 1 per partition for ever once the input went idle.
const services = testServices();
let run: SinkRun;
let wh: ReturnType<typeof warehouseQueries>;
let sink: Sink;
let producer: Producer;

beforeAll(async () => {
  run = await prepareSinkRun(services.clickhouseUrl, 'sink_markers');
  wh = warehouseQueries(services.clickhouseUrl, run);
  sink = await startSink({ config: run.config(), catalog: run.catalog, logger: silentLogger });
  const kafka = new Kafka({
    clientId: 'sink-markers-test',
    brokers: services.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  producer = kafka.producer({
    transactionalId: uniqueName('sink_markers_tx'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
});

afterAll(async () => {
  await (producer as Producer | undefined)?.disconnect();
  await (sink as Sink | undefined)?.stop();
  await (run as SinkRun | undefined)?.close();
  await (wh as typeof wh | undefined)?.drop();
});

describe('sink offsets on transactional topics', () => {
  it('commits past the closing commit markers: lag 0 once idle', async () => {
    const topic = run.catalog.derived['enriched-usage'].name;
    // Three transactions (both partitions by key), the last one idle behind its marker.
    for (const round of [1, 2, 3]) {
      const transaction = await producer.transaction();
      await transaction.send({
        topic,
        acks: -1,
        messages: ['u1', 'u2', 'u3', 'u4'].map((userId) => ({
          key: `acme/${userId}`,
          value: run.codec.encode(
            'derived-enriched-usage',
            usage({ eventId: `e-${round}-${userId}`, userId }),
          ),
        })),
      });
      await transaction.commit();
    }

    await run.waitCommitted(30_000);

    const ends = await run.admin.fetchTopicOffsets(topic);
    const [committed] = await run.admin.fetchOffsets({ groupId: run.groupId, topics: [topic] });
    for (const end of ends) {
      const done = committed?.partitions.find((item) => item.partition === end.partition);
      expect(done?.offset).toBe(end.high);
      expect(done?.metadata ?? '').toBe('');
    }
    const [count] = await wh.rows<{ n: string }>(
      'SELECT toString(count()) AS n FROM {facts_db}.usage_events',
    );
    expect(count?.n).toBe('12');
  });
});
