/**
 * The cluster rendering against the real ClickHouse parser. No cluster (Keeper, several servers)
 * runs here, so every rendered statement is parsed with formatQuery() — the server's own parser,
 * which accepts only valid DDL — and a migrate() with a cluster is shown to reach the server with
 * ON CLUSTER (a single embedded server has no cluster of that name and says so).
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { testServices, uniqueName } from '@cs/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderForCluster } from './cluster.js';
import { bookkeepingStatements, migrate } from './migrate.js';
import { migrationStatements, readMigrationFiles, targetDatabases } from './migration-files.js';
import { silentLog } from './warehouse.test-support.js';

const target = targetDatabases('cs');
const statements = [
  ...bookkeepingStatements(target).map((sql) => ({ file: 'bookkeeping', sql })),
  ...readMigrationFiles().flatMap((file) =>
    migrationStatements(file.sql, target).map((sql) => ({ file: file.name, sql })),
  ),
];

let client: ClickHouseClient;

beforeAll(() => {
  client = createClient({
    url: testServices().clickhouseUrl,
    log: { level: ClickHouseLogLevel.OFF },
  });
});

afterAll(async () => {
  await client.close();
});

async function parsed(sql: string): Promise<string> {
  const result = await client.query({
    query: 'SELECT formatQuery({sql:String}) AS formatted',
    query_params: { sql },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ formatted: string }>();
  return rows[0]?.formatted ?? '';
}

describe('every statement rendered for a cluster', () => {
  it('parses on the real engine, keeping ON CLUSTER and the replicated engines', async () => {
    let tables = 0;
    for (const { file, sql } of statements) {
      const formatted = await parsed(renderForCluster(sql, 'prod'));
      expect(formatted, file).toMatch(/ ON CLUSTER prod\b/);
      if (/\bENGINE\b/.test(formatted)) {
        tables += 1;
        expect(formatted, file).toMatch(
          /ENGINE = Replicated\w*MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'/,
        );
      }
    }
    expect(tables).toBe(22);
  }, 120_000);

  it('parses the single-server statements as well (the rendering is not what makes them valid)', async () => {
    for (const { file, sql } of statements) {
      expect(await parsed(sql), file).not.toMatch(/ON CLUSTER|Replicated/);
    }
  }, 120_000);
});

describe('migrate with a cluster', () => {
  it('sends ON CLUSTER to the server: a server without that cluster refuses, naming it', async () => {
    const database = uniqueName('cs');
    await expect(
      migrate({
        url: testServices().clickhouseUrl,
        database,
        cluster: 'no_such_cluster',
        log: silentLog,
      }),
    ).rejects.toThrow(/no_such_cluster/);
    const result = await client.query({
      query: 'SELECT count() AS n FROM system.databases WHERE name = {name:String}',
      query_params: { name: database },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ n: number | string }>();
    expect(rows.map((row) => Number(row.n))).toEqual([0]);
  }, 60_000);

  it('refuses a bad cluster name before it talks to the server', async () => {
    await expect(
      migrate({ url: 'http://127.0.0.1:1', database: 'cs', cluster: 'a;b', log: silentLog }),
    ).rejects.toThrow(/cluster name 'a;b'/);
  });
});
