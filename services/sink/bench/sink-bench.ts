/**
 * Sink throughput with every materialized view on, next to plain inserts of the same rows into the
 * same fact tables without views, in one run:
 *
 *   npm run bench -w @cs/sink
 *
 * Env: KAFKA_BROKERS (127.0.0.1:19092), SCHEMA_REGISTRY_URL (http://127.0.0.1:18081/apis/ccompat/v7),
 * CLICKHOUSE_URL (http://127.0.0.1:18123), BENCH_ROWS (100000), BENCH_BATCH_ROWS (10000).
 * It prints figures; it asserts nothing. Topics and databases get a unique name and are dropped.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { migrate } from '@cs/migrate';
import { createLogger } from '@cs/runtime';
import {
  createCodec,
  createSchemaRegistry,
  ensureTopics,
  registerSchemas,
  topicCatalog,
  type DerivedName,
  type RecordBySchemaName,
} from '@cs/schemas';
import {
  createClickHouseWriter,
  dedupToken,
  mapDerived,
  startSink,
  TABLE_OF_DERIVED,
} from '../src/index.js';
import type { FactRow } from '../src/index.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const clickhouseUrl = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:18123';
const total = Number(process.env.BENCH_ROWS ?? 100_000);
const batchRows = Number(process.env.BENCH_BATCH_ROWS ?? 10_000);
const run = `sinkbench_${randomBytes(4).toString('hex')}`;
const quiet = createLogger({ component: 'sink-bench', write: () => undefined });
const FACTS_SQL = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../infra/clickhouse/0001_facts.sql',
);

type Item = {
  [N in DerivedName]: { name: N; key: string; record: RecordBySchemaName[`derived-${N}`] };
}[DerivedName];

const DAY = 20_635; // 2026-07-01
const T0 = DAY * 86_400_000 + 36_000_000;

/** Mostly usage (the widest MV fan-out: five views, one of them ×30), plus sessions and time. */
function items(n: number): Item[] {
  return Array.from({ length: n }, (_, i): Item => {
    const userId = `user-${i % 5000}`;
    const accountId = `acc-${i % 300}`;
    const key = `t1/${userId}`;
    const day = DAY + (i % 28);
    if (i % 10 === 8) {
      return {
        name: 'time-slice',
        key,
        record: {
          tenant: 't1',
          userId,
          accountId,
          day,
          sessionId: null,
          product: 'app',
          module: `m${i % 7}`,
          ms: 60_000,
          sign: 1,
        },
      };
    }
    if (i % 10 === 9) {
      return {
        name: 'session',
        key,
        record: {
          tenant: 't1',
          sessionId: `s${i}`,
          userId,
          accountId,
          day,
          startedAt: T0 + i,
          endedAt: T0 + i + 60_000,
          durationMs: 60_000,
          events: 2,
          moduleTimeMs: { [`m${i % 7}`]: 60_000 },
          sign: 1,
        },
      };
    }
    return {
      name: 'enriched-usage',
      key,
      record: {
        tenant: 't1',
        eventId: `e${i}`,
        ts: T0 + i * 1000,
        day,
        accountId,
        userId,
        product: 'app',
        module: `m${i % 7}`,
        feature: i % 3 === 0 ? null : `f${i % 40}`,
        count: 1,
        accountPath: ['root', accountId],
        role: null,
        properties: {},
      },
    };
  });
}

async function main(): Promise<void> {
  const catalog = topicCatalog({ prefix: `${run}.`, partitions: 3 });
  const kafka = new Kafka({ clientId: 'sink-bench', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ch = createClient({ url: clickhouseUrl, log: { level: ClickHouseLogLevel.OFF } });
  const plainDir = mkdtempSync(path.join(tmpdir(), 'sink-bench-'));
  copyFileSync(FACTS_SQL, path.join(plainDir, '0001_facts.sql'));
  const withViews = `${run}_views`;
  const direct = `${run}_direct`;
  const plain = `${run}_plain`;
  try {
    await ensureTopics(admin, catalog);
    const registry = createSchemaRegistry({ host: registryUrl });
    const codec = createCodec(registry, await registerSchemas(registry, catalog));
    await migrate({ url: clickhouseUrl, database: withViews, log: quiet });
    await migrate({ url: clickhouseUrl, database: direct, log: quiet });
    // The same fact tables, without a single materialized view (only 0001 applied).
    await migrate({ url: clickhouseUrl, database: plain, dir: plainDir, log: quiet });

    const all = items(total);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let start = 0; start < all.length; start += 5000) {
      const slice = all.slice(start, start + 5000);
      const byTopic = new Map<string, { key: string; value: Buffer }[]>();
      for (const item of slice) {
        const schema = `derived-${item.name}` as const;
        const topic = catalog.derived[item.name].name;
        const messages = byTopic.get(topic) ?? [];
        messages.push({ key: item.key, value: codec.encode(schema, item.record) });
        byTopic.set(topic, messages);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    }
    await producer.disconnect();

    // 1. The sink, all materialized views on: from joined to caught up.
    const sink = await startSink({
      config: {
        brokers,
        clientId: 'sink-bench',
        schemaRegistryUrl: registryUrl,
        clickhouse: { url: clickhouseUrl, username: 'default', password: '' },
        factsDatabase: `${withViews}_facts`,
        groupId: `${run}_group`,
        batchRows,
        batchMs: 1000,
        retry: { initialDelayMs: 100, maxDelayMs: 2000, multiplier: 2 },
        drainMs: 5000,
        metricsPort: null,
      },
      catalog,
      logger: quiet,
    });
    while (sink.health().status !== 'ok') await new Promise((resolve) => setTimeout(resolve, 20));
    const sinkStart = performance.now();
    for (;;) {
      const inserted = ['usage_events', 'time_slices', 'sessions'].reduce(
        (sum, table) => sum + sink.metrics.rowsInserted.value({ group: `${run}_group`, table }),
        0,
      );
      if (inserted >= total) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const sinkSeconds = (performance.now() - sinkStart) / 1000;
    await sink.stop();

    // 2. and 3. The same rows, inserted directly in the same batch size, with and without views.
    const rowsByTable = new Map<string, FactRow[]>();
    all.forEach((item, offset) => {
      const mapped = mapDerived(item.name, item.record as never, String(offset));
      const table = TABLE_OF_DERIVED[item.name];
      const rows = rowsByTable.get(table) ?? [];
      rows.push(mapped);
      rowsByTable.set(table, rows);
    });
    const insertAll = async (database: string): Promise<number> => {
      const writer = createClickHouseWriter({
        url: clickhouseUrl,
        username: 'default',
        password: '',
        database: `${database}_facts`,
      });
      const started = performance.now();
      for (const [table, rows] of rowsByTable) {
        for (let start = 0; start < rows.length; start += batchRows) {
          const range = { first: String(start), last: String(start + batchRows - 1) };
          await writer.insert(
            table as (typeof TABLE_OF_DERIVED)[DerivedName],
            rows.slice(start, start + batchRows),
            dedupToken(table, 'bench', 0, range),
          );
        }
      }
      const seconds = (performance.now() - started) / 1000;
      await writer.close();
      return seconds;
    };
    const directSeconds = await insertAll(direct);
    const plainSeconds = await insertAll(plain);

    const rate = (seconds: number) => Math.round(total / seconds);
    console.log(
      `sink bench: ${total} rows (80% usage, 10% time slices, 10% sessions), batches of ${batchRows}, ${clickhouseUrl}`,
    );
    console.log(
      `  sink (Kafka → ClickHouse, all materialized views)  ${rate(sinkSeconds).toLocaleString('en')} rows/s  (${sinkSeconds.toFixed(2)} s)`,
    );
    console.log(
      `  direct inserts, all materialized views             ${rate(directSeconds).toLocaleString('en')} rows/s  (${directSeconds.toFixed(2)} s)`,
    );
    console.log(
      `  direct inserts, no materialized views              ${rate(plainSeconds).toLocaleString('en')} rows/s  (${plainSeconds.toFixed(2)} s)`,
    );
    console.log(
      `  ratio sink / plain inserts without views: ${(plainSeconds / sinkSeconds).toFixed(2)}`,
    );
    console.log(
      `  ratio direct with views / without views:  ${(plainSeconds / directSeconds).toFixed(2)}`,
    );
  } finally {
    for (const database of [withViews, direct, plain]) {
      await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await ch.command({ query: `DROP DATABASE IF EXISTS ${database}_facts` });
    }
    await ch.close();
    await admin
      .deleteTopics({ topics: catalog.all.map((topic) => topic.name) })
      .catch(() => undefined);
    await admin.disconnect();
    rmSync(plainDir, { recursive: true, force: true });
  }
}

await main();
