// The kafkajs patch (patches/kafkajs+2.2.4.patch, applied by patch-package on npm install) makes
// the produce path linear and allocation-light. These tests check it is applied and that what it
// encodes is what kafkajs' own (unpatched) decoders read back, for any records.
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const kafkajsSrc = `${require.resolve('kafkajs').replace(/index\.js$/, '')}src/`;

interface Message {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer | string[]>;
  timestamp?: number;
  partition?: number;
}
interface DecodedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
  timestamp: string;
  offset: string;
}
type ProduceRequest = (options: object) => { encode: () => Promise<{ buffer: Buffer }> };
interface DecoderInstance {
  readString(): string;
  readInt16(): number;
  readInt32(): number;
}

const produceRequest = require(
  `${kafkajsSrc}protocol/requests/produce/v3/request.js`,
) as ProduceRequest;
const Decoder = require(`${kafkajsSrc}protocol/decoder.js`) as new (
  buffer: Buffer,
) => DecoderInstance;
const decodeRecordBatch = require(`${kafkajsSrc}protocol/recordBatch/v0/decoder.js`) as (
  decoder: DecoderInstance,
) => Promise<{ records: DecodedRecord[]; lastOffsetDelta: number; inTransaction: boolean }>;
const Long = require(`${kafkajsSrc}utils/long.js`) as { fromInt(value: number): unknown };
const groupMessagesPerPartition = require(
  `${kafkajsSrc}producer/groupMessagesPerPartition.js`,
) as (options: {
  topic: string;
  partitionMetadata: unknown[];
  messages: Message[];
  partitioner: (options: { message: Message }) => number;
}) => Record<string, Message[]>;
const recordModule = require(`${kafkajsSrc}protocol/recordBatch/record/v0/index.js`) as {
  writeRecord?: unknown;
};

interface FakeBroker {
  readonly id: number;
  calls: string[];
  /** The next request fails with this error. */
  failNext: Error | undefined;
}
type EosManager = {
  initProducerId(): Promise<void>;
  beginTransaction(): void;
  addPartitionsToTransaction(topicData: object[]): Promise<void>;
  sendOffsets(options: object): Promise<void>;
  commit(): Promise<void>;
};
const createEosManager = require(`${kafkajsSrc}producer/eosManager/index.js`) as (options: {
  logger: object;
  cluster: object;
  transactional: boolean;
  transactionalId: string;
}) => EosManager;

/** A cluster whose coordinator lookups return fresh fake brokers, counted; no network. */
function fakeCluster() {
  const brokers: FakeBroker[] = [];
  const lookups: string[] = [];
  const request =
    (broker: FakeBroker, name: string, result: object = {}) =>
    (): Promise<object> => {
      broker.calls.push(name);
      const failure = broker.failNext;
      if (failure !== undefined) {
        broker.failNext = undefined;
        return Promise.reject(failure);
      }
      return Promise.resolve(result);
    };
  const cluster = {
    retry: { retries: 0 },
    refreshMetadataIfNecessary: () => Promise.resolve(),
    findGroupCoordinator: ({ coordinatorType }: { coordinatorType: number }) => {
      lookups.push(coordinatorType === 1 ? 'transaction' : 'group');
      const broker: FakeBroker = { id: brokers.length, calls: [], failNext: undefined };
      brokers.push(broker);
      return Promise.resolve({
        broker,
        initProducerId: request(broker, 'InitProducerId', { producerId: 1, producerEpoch: 0 }),
        addPartitionsToTxn: request(broker, 'AddPartitionsToTxn'),
        addOffsetsToTxn: request(broker, 'AddOffsetsToTxn'),
        txnOffsetCommit: request(broker, 'TxnOffsetCommit'),
        endTxn: request(broker, 'EndTxn'),
      });
    },
  };
  return { cluster, brokers, lookups };
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined };
const logger = { ...silent, error: () => undefined, namespace: () => logger };

const murmur2 = require(`${kafkajsSrc}producer/partitioners/default/murmur2.js`) as (
  key: Buffer | string,
) => number;

/** Java's Utils.murmur2 (int arithmetic), written out with BigInt as an independent reference. */
function referenceMurmur2(data: Buffer): number {
  const int = (value: bigint): bigint => BigInt.asIntN(32, value);
  const ushr = (value: bigint, bits: bigint): bigint => BigInt.asUintN(32, value) >> bits;
  const m = 0x5bd1e995n;
  let h = int(0x9747b28cn ^ BigInt(data.length));
  const length4 = Math.floor(data.length / 4);
  for (let i = 0; i < length4; i += 1) {
    let k = int(BigInt(data.readInt32LE(i * 4)));
    k = int(k * m);
    k = int(k ^ ushr(k, 24n));
    k = int(k * m);
    h = int(h * m);
    h = int(h ^ k);
  }
  const tail = data.length & ~3;
  const rest = data.length % 4;
  if (rest >= 3) h = int(h ^ (BigInt(data[tail + 2] ?? 0) << 16n));
  if (rest >= 2) h = int(h ^ (BigInt(data[tail + 1] ?? 0) << 8n));
  if (rest >= 1) {
    h = int(h ^ BigInt(data[tail] ?? 0));
    h = int(h * m);
  }
  h = int(h ^ ushr(h, 13n));
  h = int(h * m);
  h = int(h ^ ushr(h, 15n));
  return Number(h);
}

/** Walks a one-topic, one-partition produce request to its record batch and decodes it. */
async function decodeProduce(buffer: Buffer) {
  const decoder = new Decoder(buffer);
  const transactionalId = decoder.readString();
  decoder.readInt16(); // acks
  decoder.readInt32(); // timeout
  expect(decoder.readInt32()).toBe(1); // topics
  const topic = decoder.readString();
  expect(decoder.readInt32()).toBe(1); // partitions
  const partition = decoder.readInt32();
  decoder.readInt32(); // record batch size
  return { transactionalId, topic, partition, batch: await decodeRecordBatch(decoder) };
}

const toBuffer = (data: Buffer | string | null): Buffer | null =>
  data === null ? null : Buffer.isBuffer(data) ? data : Buffer.from(data);

const bytes = fc.oneof(
  fc.constant(null),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uint8Array({ maxLength: 600 }).map((array) => Buffer.from(array)),
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.uint8Array({ maxLength: 10 }).map((array) => Buffer.from(array)),
  fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 }),
);
const NOW = 1_763_700_000_000;
const message: fc.Arbitrary<Message> = fc.record(
  {
    key: bytes,
    value: bytes,
    // Prefixed: kafkajs' decoder collects headers in a plain object ("toString" would clash).
    headers: fc.dictionary(fc.stringMatching(/^h-[a-z0-9]{0,6}$/), headerValue, {
      maxKeys: 3,
    }),
    // Far apart on purpose (deltas beyond 32 bits exercise the varlong encoding); positive, since
    // kafkajs takes a timestamp of 0 for "none".
    timestamp: fc.integer({ min: NOW - 2 ** 40, max: NOW + 2 ** 40 }),
  },
  { requiredKeys: ['key', 'value'] },
);

describe('kafkajs patch', () => {
  it('is applied (npm install runs patch-package)', () => {
    expect(typeof recordModule.writeRecord).toBe('function');
  });

  it('encodes records that kafkajs decodes back unchanged, in order, for any keys, values, headers and timestamps', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (messages, transactional) => {
          const request = produceRequest({
            acks: -1,
            timeout: 30_000,
            transactionalId: transactional ? 'tx-1' : null,
            producerId: Long.fromInt(7),
            producerEpoch: 2,
            topicData: [
              { topic: 'topic-a', partitions: [{ partition: 2, firstSequence: 5, messages }] },
            ],
          });
          const before = Date.now();
          const { buffer } = await request.encode();
          const after = Date.now();
          const decoded = await decodeProduce(buffer);
          expect(decoded.topic).toBe('topic-a');
          expect(decoded.partition).toBe(2);
          expect(decoded.batch.inTransaction).toBe(transactional);
          expect(decoded.batch.lastOffsetDelta).toBe(messages.length - 1);
          expect(decoded.batch.records).toHaveLength(messages.length);
          decoded.batch.records.forEach((record, i) => {
            const sent = messages[i];
            if (sent === undefined) throw new Error('more records than messages');
            expect(record.offset).toBe(String(i));
            expect(record.key).toEqual(toBuffer(sent.key));
            expect(record.value).toEqual(toBuffer(sent.value));
            const headers = Object.fromEntries(
              Object.entries(sent.headers ?? {}).map(([name, value]) => [
                name,
                Array.isArray(value)
                  ? value.length === 1
                    ? Buffer.from(value[0] ?? '')
                    : value.map((item) => Buffer.from(item))
                  : Buffer.from(value),
              ]),
            );
            expect(record.headers).toEqual(headers);
            if (sent.timestamp !== undefined) {
              expect(record.timestamp).toBe(String(sent.timestamp));
            } else {
              // kafkajs stamps a record without a timestamp with the time of encoding.
              expect(Number(record.timestamp)).toBeGreaterThanOrEqual(before);
              expect(Number(record.timestamp)).toBeLessThanOrEqual(after);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the transaction and group coordinators across transactions, and looks one up again after a request to it failed', async () => {
    const { cluster, brokers, lookups } = fakeCluster();
    const eos = createEosManager({ logger, cluster, transactional: true, transactionalId: 'tx' });
    await eos.initProducerId();
    const transaction = async (): Promise<void> => {
      eos.beginTransaction();
      await eos.addPartitionsToTransaction([{ topic: 't', partitions: [{ partition: 0 }] }]);
      await eos.sendOffsets({
        consumerGroupId: 'g',
        topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '1' }] }],
      });
      await eos.commit();
    };
    await transaction();
    await transaction();
    await transaction();
    // InitProducerId's own lookup, then one per coordinator for all three transactions.
    expect(lookups).toEqual(['transaction', 'transaction', 'group']);
    const transactionCoordinator = brokers[1];
    if (transactionCoordinator === undefined) throw new Error('no transaction coordinator');
    expect(transactionCoordinator.calls.filter((call) => call === 'EndTxn')).toHaveLength(3);

    // A refusal about the transaction, not the coordinator: the coordinator is kept.
    const KafkaJSProtocolError = (
      require(`${kafkajsSrc}errors.js`) as {
        KafkaJSProtocolError: new (e: { type: string; message: string; code: number }) => Error;
      }
    ).KafkaJSProtocolError;
    transactionCoordinator.failNext = new KafkaJSProtocolError({
      type: 'CONCURRENT_TRANSACTIONS',
      message: 'concurrent',
      code: 51,
    });
    eos.beginTransaction();
    await expect(
      eos.addPartitionsToTransaction([{ topic: 't', partitions: [{ partition: 1 }] }]),
    ).rejects.toThrow('concurrent');
    await eos.addPartitionsToTransaction([{ topic: 't', partitions: [{ partition: 1 }] }]);
    expect(lookups).toEqual(['transaction', 'transaction', 'group']);

    // A connection that failed: the coordinator is looked up again for the next request.
    transactionCoordinator.failNext = new Error('connection closed');
    await expect(
      eos.addPartitionsToTransaction([{ topic: 't', partitions: [{ partition: 2 }] }]),
    ).rejects.toThrow('connection closed');
    await eos.addPartitionsToTransaction([{ topic: 't', partitions: [{ partition: 2 }] }]);
    expect(lookups).toEqual(['transaction', 'transaction', 'group', 'transaction']);
    expect(brokers[3]?.calls).toEqual(['AddPartitionsToTxn']);
  });

  it('gives "Failed to find group coordinator" the connection error as its cause, so a consumer crashing with it restarts', async () => {
    const errors = require(`${kafkajsSrc}errors.js`) as {
      KafkaJSConnectionError: new (message: string) => Error & { retriable: boolean };
    };
    const Cluster = require(`${kafkajsSrc}cluster/index.js`) as {
      prototype: {
        findGroupCoordinatorMetadata(params: { groupId: string }): Promise<unknown>;
      };
    };
    const createRetry = require(`${kafkajsSrc}retry/index.js`) as (
      options: object,
    ) => <T>(fn: (bail: (error: Error) => void) => Promise<T>) => Promise<T>;
    const refused = new errors.KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
    // The only broker is restarting: its lookup fails to connect (kafkajs bails out at once).
    const cluster = {
      logger: { debug: () => undefined },
      retrier: createRetry({ retries: 0 }),
      brokerPool: {
        withBroker: async (
          callback: (entry: { nodeId: number; broker: object }) => Promise<unknown>,
        ) => {
          try {
            return await callback({
              nodeId: 0,
              broker: { findGroupCoordinator: () => Promise.reject(refused) },
            });
          } catch {
            return null;
          }
        },
      },
    };
    // As the consumer's runner sees it: through a retrier, which wraps a non-retriable error.
    const failure: unknown = await createRetry({ retries: 0 })(() =>
      Cluster.prototype.findGroupCoordinatorMetadata.call(cluster, { groupId: 'g' }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('Failed to find group coordinator');
    // kafkajs' consumer restarts after a crash when the original cause (the end of the cause chain)
    // is retriable (src/consumer/index.js); unpatched, there was no cause and it stopped for good.
    let original = failure as Error & { cause?: unknown; retriable?: boolean };
    while (original.cause instanceof Error) original = original.cause;
    expect(original).toBe(refused);
    expect(original.retriable).toBe(true);
  });

  it("hashes keys as Kafka's Java client does (murmur2), so keys keep their partitions", () => {
    // Apache Kafka's own test vectors (clients UtilsTest.testMurmur2).
    const vectors: Array<[string | Buffer, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      [Buffer.from('abc'), 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(key)).toBe(hash);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const key = Buffer.from(bytes);
        expect(murmur2(key)).toBe(referenceMurmur2(key));
      }),
      { numRuns: 2000 },
    );
  });

  it('groups a request by partition keeping each partition in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 200 }), (partitions) => {
        const messages = partitions.map((partition, i) => ({
          key: String(i),
          value: null,
          partition,
        }));
        const grouped = groupMessagesPerPartition({
          topic: 't',
          partitionMetadata: [{}],
          messages,
          partitioner: ({ message: m }) => m.partition ?? 0,
        });
        const expected: Record<string, Message[]> = {};
        for (const m of messages) (expected[String(m.partition)] ??= []).push(m);
        expect(grouped).toEqual(expected);
      }),
    );
  });
});
