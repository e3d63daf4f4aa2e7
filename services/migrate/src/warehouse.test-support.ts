/**
 * Integration-test helpers: a freshly migrated target per test file (unique database names), rows
 * inserted as the sink inserts them (JSONEachRow) and views read back as plain objects.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { testServices, uniqueName } from '@cs/infra/testing';
import { createLogger } from '@cs/runtime';
import { migrate } from './migrate.js';
import { targetDatabases, type TargetDatabases } from './migration-files.js';

export interface MigratedWarehouse extends TargetDatabases {
  client: ClickHouseClient;
  insert(table: string, rows: readonly Record<string, unknown>[], token?: string): Promise<void>;
  rows<T = Record<string, unknown>>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  drop(): Promise<void>;
}

/** Quiet logs: the migration lines would only be noise in test output. */
export const silentLog = createLogger({ component: 'migrate-test', write: () => undefined });

export async function migratedWarehouse(): Promise<MigratedWarehouse> {
  const url = testServices().clickhouseUrl;
  const target = targetDatabases(uniqueName('cs'));
  await migrate({ url, database: target.views, log: silentLog });
  const client = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
  return {
    ...target,
    client,
    async insert(table, rows, token) {
      await client.insert({
        table: `${target.facts}.${table}`,
        values: [...rows],
        format: 'JSONEachRow',
        clickhouse_settings:
          token === undefined
            ? {}
            : {
                insert_deduplication_token: token,
                deduplicate_blocks_in_dependent_materialized_views: 1,
              },
      });
    },
    async rows<T>(query: string, params: Record<string, unknown> = {}) {
      const result = await client.query({
        query: query.replaceAll('{db}', target.views).replaceAll('{facts_db}', target.facts),
        query_params: params,
        format: 'JSONEachRow',
        // Decimals as exact strings, 64-bit integers as numbers (small in tests).
        clickhouse_settings: { output_format_json_quote_decimals: 1 },
      });
      return result.json<T>();
    },
    async drop() {
      await client.command({ query: `DROP DATABASE IF EXISTS ${target.views}` });
      await client.command({ query: `DROP DATABASE IF EXISTS ${target.facts}` });
      await client.close();
    },
  };
}

/** `2026-07-01T10:00:00.000Z` plus minutes, as the sink writes DateTime64(3) in JSONEachRow. */
export function at(day: string, time = '00:00:00', plusMinutes = 0): string {
  const ms = Date.parse(`${day}T${time}.000Z`) + plusMinutes * 60_000;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** A date plus n days, `YYYY-MM-DD`. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

export const MINUTE = 60_000;
