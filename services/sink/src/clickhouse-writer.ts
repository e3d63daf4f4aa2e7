import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { FactTable } from './fact-tables.js';
import type { FactRow } from './row-mapping.js';

export interface ClickHouseWriterOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly database: string;
  readonly requestTimeoutMs?: number;
}

/** Inserts one batch into one fact table, idempotently per token. */
export interface FactWriter {
  insert(table: FactTable, rows: readonly FactRow[], token: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The sink's ClickHouse side. The table comes from FACT_TABLES and the database is validated by
 * the config schema, so the identifier is never built from record data.
 */
export function createClickHouseWriter(options: ClickHouseWriterOptions): FactWriter {
  const client: ClickHouseClient = createClient({
    url: options.url,
    username: options.username,
    password: options.password,
    request_timeout: options.requestTimeoutMs ?? 60_000,
    // Failures are retried and logged by the sink with the table and range; the client's own log
    // would repeat each of them.
    log: { level: ClickHouseLogLevel.OFF },
  });
  return {
    async insert(table, rows, token) {
      if (rows.length === 0) return;
      await client.insert({
        table: `${options.database}.${table}`,
        values: [...rows],
        format: 'JSONEachRow',
        clickhouse_settings: {
          // NOTE: the token replaces the data hash as the block's identity: the same range inserted
          // twice is dropped by the table's deduplication window (non_replicated_deduplication_
          // window = 1000), and with the second setting by every materialized-view target too.
          insert_deduplicate: 1,
          insert_deduplication_token: token,
          deduplicate_blocks_in_dependent_materialized_views: 1,
          // Synchronous insert: when it returns, the rows (and their MV rows) are stored.
          async_insert: 0,
        },
      });
    },
    async ping() {
      const result = await client.ping();
      return result.success;
    },
    close: () => client.close(),
  };
}
