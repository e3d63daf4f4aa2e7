/**
 * Integration-test support: reads derived topics read committed (what a downstream consumer sees),
 * decoded, as they fill; waits for conditions; nets signed rows.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import {
  createCodec,
  createSchemaRegistry,
  derivedSchemaName,
  registerSchemas,
  type DerivedName,
  type RecordBySchemaName,
  type TopicCatalog,
} from '@cs/schemas';

export interface DerivedRow<N extends DerivedName = DerivedName> {
  readonly name: N;
  readonly key: string;
  readonly partition: number;
  readonly offset: string;
  readonly record: RecordBySchemaName[`derived-${N}`];
}

export interface DerivedReader {
  rows<N extends DerivedName>(name: N): DerivedRow<N>[];
  stop(): Promise<void>;
}

export async function readDerived(options: {
  brokers: string[];
  registryUrl: string;
  catalog: TopicCatalog;
  names: readonly DerivedName[];
}): Promise<DerivedReader> {
  const registry = createSchemaRegistry({ host: options.registryUrl });
  const codec = createCodec(registry, await registerSchemas(registry, options.catalog));
  const kafka = new Kafka({
    clientId: 'derived-reader',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const byTopic = new Map(options.names.map((name) => [options.catalog.derived[name].name, name]));
  const rows: DerivedRow[] = [];
  const consumer: Consumer = kafka.consumer({
    groupId: `derived-reader-${randomBytes(6).toString('hex')}`,
    // NOTE: what a downstream consumer sees: aborted transactions never show.
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...byTopic.keys()], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const name = byTopic.get(topic);
      if (name === undefined || message.value === null) return;
      const record = await codec.decode(derivedSchemaName(name), message.value);
      rows.push({
        name,
        key: message.key?.toString('utf8') ?? '',
        partition,
        offset: message.offset,
        record,
      });
    },
  });
  return {
    rows: <N extends DerivedName>(name: N) =>
      rows.filter((row): row is DerivedRow<N> => row.name === name),
    stop: () => consumer.disconnect(),
  };
}

export async function eventually<T>(
  probe: () => T | Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!check(last)) {
    if (Date.now() > until) {
      throw new Error(`condition not met within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await probe();
  }
  return last;
}

/** Sums signs per identical row (sign left out of the identity); keeps rows that net to ≠ 0. */
export function net(rows: readonly { sign: number }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const row of rows) {
    const { sign, ...rest } = row;
    const identity = JSON.stringify(rest);
    sums.set(identity, (sums.get(identity) ?? 0) + sign);
  }
  for (const [identity, sum] of sums) if (sum === 0) sums.delete(identity);
  return sums;
}
