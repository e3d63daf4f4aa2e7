/**
 * The warehouse as every other component sees it: a child process speaking the ClickHouse HTTP
 * interface, driven through @clickhouse/client and raw fetch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  ClickHouseError,
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
} from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWarehouse, type WarehouseProcess } from './warehouse-process.test-support.js';

let warehouse: WarehouseProcess;
let dataDir: string;
let client: ClickHouseClient;
const db = `wh_test_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'cs-warehouse-'));
  warehouse = await spawnWarehouse(dataDir);
  // Expected failures are asserted on; the client's own error log would only be noise.
  client = createClient({ url: warehouse.url, log: { level: ClickHouseLogLevel.OFF } });
  await client.command({ query: `CREATE DATABASE ${db}` });
});

afterAll(async () => {
  await client.command({ query: `DROP DATABASE IF EXISTS ${db}` }).catch(() => undefined);
  await client.close();
  const code = await warehouse.stop();
  rmSync(dataDir, { recursive: true, force: true });
  expect(code).toBe(0);
});

async function rows<T>(
  query: string,
  options: Partial<Parameters<ClickHouseClient['query']>[0]> = {},
): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow', ...options });
  return (await result.json<T>()) as T[];
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected the query to fail'),
    (error: unknown) => error,
  );
}

describe('warehouse HTTP interface', () => {
  it('answers ping', async () => {
    const ping = await client.ping();
    expect(ping.success).toBe(true);
  });

  it('feeds a materialized view into an AggregatingMergeTree and reads it back with bound params', async () => {
    await client.command({
      query: `CREATE TABLE ${db}.usage (tenant String, user_id UInt64, day Date, seconds Int64)
              ENGINE = MergeTree ORDER BY (tenant, day)`,
    });
    await client.command({
      query: `CREATE TABLE ${db}.daily (tenant String, day Date,
                users AggregateFunction(uniqExact, UInt64), seconds AggregateFunction(sum, Int64))
              ENGINE = AggregatingMergeTree ORDER BY (tenant, day)`,
    });
    await client.command({
      query: `CREATE MATERIALIZED VIEW ${db}.daily_mv TO ${db}.daily AS
              SELECT tenant, day, uniqExactState(user_id) AS users, sumState(seconds) AS seconds
              FROM ${db}.usage GROUP BY tenant, day`,
    });
    const values = [
      { tenant: 'acme', user_id: 1, day: '2026-07-01', seconds: 10 },
      { tenant: 'acme', user_id: 2, day: '2026-07-01', seconds: 20 },
      { tenant: 'acme', user_id: 1, day: '2026-07-01', seconds: 5 },
      { tenant: 'acme', user_id: 3, day: '2026-07-02', seconds: 7 },
      { tenant: "o'hara", user_id: 9, day: '2026-07-01', seconds: 1 },
    ];
    await client.insert({ table: `${db}.usage`, values, format: 'JSONEachRow' });
    await client.insert({ table: `${db}.usage`, values: [values[1]], format: 'JSONEachRow' });

    const scoped = createClient({ url: warehouse.url, database: db });
    try {
      const result = await scoped.query({
        query: `SELECT uniqExactMerge(users) AS users, sumMerge(seconds) AS seconds FROM daily
                WHERE tenant = {tenant:String} AND day = {day:Date}`,
        query_params: { tenant: 'acme', day: '2026-07-01' },
        format: 'JSONEachRow',
      });
      expect(await result.json()).toEqual([{ users: 2, seconds: 55 }]);
    } finally {
      await scoped.close();
    }
    const quoted = await rows<{ n: number }>(
      `SELECT sumMerge(seconds) AS n FROM ${db}.daily WHERE tenant IN {tenants:Array(String)}`,
      { query_params: { tenants: ["o'hara", 'nobody'] } },
    );
    expect(quoted).toEqual([{ n: 1 }]);
  });

  it('binds String, numbers, Date, DateTime and Array(String) the way ClickHouse does', async () => {
    const tricky = "it's a\ttab, a back\\slash and a\nnewline";
    const [row] = await rows<Record<string, unknown>>(
      `SELECT {s:String} AS s, {a:Array(String)} AS a, {d:Date} AS d, {t:DateTime('UTC')} AS t,
              {u:UInt64} AS u, {f:Float64} AS f, {ns:Nullable(String)} AS ns`,
      {
        query_params: {
          s: tricky,
          a: ['plain', tricky],
          d: '2026-07-01',
          t: new Date('2026-07-01T10:20:30Z'),
          u: '18446744073709551615',
          f: 1.5,
          ns: null,
        },
        // NOTE: the 26.x engine default writes 64-bit integers as JSON numbers; quote to keep u exact.
        clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
      },
    );
    expect(row).toEqual({
      s: tricky,
      a: ['plain', tricky],
      d: '2026-07-01',
      t: '2026-07-01 10:20:30',
      u: '18446744073709551615',
      f: 1.5,
      ns: null,
    });
  });

  it('surfaces typed ClickHouseErrors', async () => {
    const syntax = await rejection(client.query({ query: 'SELEC 1' }));
    expect(syntax).toBeInstanceOf(ClickHouseError);
    expect(syntax).toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });

    const table = await rejection(client.query({ query: `SELECT * FROM ${db}.missing` }));
    expect(table).toBeInstanceOf(ClickHouseError);
    expect(table).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });

    const database = await rejection(client.query({ query: 'SELECT * FROM no_such_db.t' }));
    expect(database).toMatchObject({ code: '81', type: 'UNKNOWN_DATABASE' });
  });

  it('keeps insert_deduplication_token to its own insert (no setting leaks between requests)', async () => {
    await client.command({
      query: `CREATE TABLE ${db}.dedup (x UInt32) ENGINE = MergeTree ORDER BY x
              SETTINGS non_replicated_deduplication_window = 100`,
    });
    const table = `${db}.dedup`;
    const token = { insert_deduplication_token: 't1' };
    await client.insert({
      table,
      values: [{ x: 1 }],
      format: 'JSONEachRow',
      clickhouse_settings: token,
    });
    // Were the token still set on the session, this block would be dropped as a duplicate.
    await client.insert({ table, values: [{ x: 2 }], format: 'JSONEachRow' });
    await client.insert({
      table,
      values: [{ x: 1 }],
      format: 'JSONEachRow',
      clickhouse_settings: token,
    });
    expect(await rows(`SELECT x FROM ${table} ORDER BY x`)).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('applies clickhouse_settings to that query only', async () => {
    const limited = await rejection(
      client.query({
        query: 'SELECT number FROM numbers(10)',
        clickhouse_settings: { max_result_rows: '1', result_overflow_mode: 'throw' },
      }),
    );
    expect(limited).toMatchObject({ code: '396', type: 'TOO_MANY_ROWS_OR_BYTES' });
    expect(await rows('SELECT number FROM numbers(10)')).toHaveLength(10);
    // Concurrent requests, half of them limited: each gets exactly its own settings.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client
          .query({
            query: 'SELECT number FROM numbers(10)',
            format: 'JSONEachRow',
            ...(i % 2 === 0
              ? { clickhouse_settings: { max_result_rows: '1', result_overflow_mode: 'throw' } }
              : {}),
          })
          .then(
            async (result) => (await result.json()).length,
            (error: unknown) => (error instanceof ClickHouseError ? error.type : 'other'),
          ),
      ),
    );
    expect(outcomes).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'TOO_MANY_ROWS_OR_BYTES' : 10)),
    );
    // An unknown setting is an error, as on a server, and does not poison the session.
    const unknown = await rejection(
      client.query({ query: 'SELECT 1', clickhouse_settings: { no_such_setting: 1 } }),
    );
    expect(unknown).toMatchObject({ code: '115', type: 'UNKNOWN_SETTING' });
    expect(await rows('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('does not let a SET or USE statement outlive its request', async () => {
    await client.command({ query: "SET max_result_rows = 1, result_overflow_mode = 'throw'" });
    await client.command({ query: `USE ${db}` });
    expect(await rows('SELECT number FROM numbers(3)')).toHaveLength(3);
    expect(await rows('SELECT currentDatabase() AS db')).toEqual([{ db: 'default' }]);
  });

  it('inserts a ~20 MB body', async () => {
    await client.command({
      query: `CREATE TABLE ${db}.big (id UInt32, payload String) ENGINE = MergeTree ORDER BY id`,
    });
    const payload = 'x'.repeat(90);
    const values = Array.from({ length: 200_000 }, (_, id) => ({ id, payload }));
    const started = Date.now();
    await client.insert({ table: `${db}.big`, values, format: 'JSONEachRow' });
    const [row] = await rows<{ n: number; bytes: number }>(
      `SELECT count() AS n, sum(length(payload)) AS bytes FROM ${db}.big`,
    );
    expect(row).toEqual({ n: 200_000, bytes: 200_000 * 90 });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('accepts gzip request bodies and gzips responses when asked', async () => {
    const gzipClient = createClient({
      url: warehouse.url,
      compression: { request: true, response: true },
    });
    try {
      await gzipClient.command({
        query: `CREATE TABLE ${db}.zipped (id UInt32) ENGINE = MergeTree ORDER BY id`,
      });
      const values = Array.from({ length: 5000 }, (_, id) => ({ id }));
      await gzipClient.insert({ table: `${db}.zipped`, values, format: 'JSONEachRow' });
      const result = await gzipClient.query({
        query: `SELECT count() AS n, sum(id) AS s FROM ${db}.zipped`,
        format: 'JSONEachRow',
      });
      expect(await result.json()).toEqual([{ n: 5000, s: (4999 * 5000) / 2 }]);
    } finally {
      await gzipClient.close();
    }
  });

  it('has the raw HTTP shape of a ClickHouse server', async () => {
    const ping = await fetch(`${warehouse.url}/ping`);
    expect(await ping.text()).toBe('Ok.\n');
    expect(await (await fetch(`${warehouse.url}/`)).text()).toBe('Ok.\n');

    const ok = await fetch(`${warehouse.url}/?query_id=raw-1&default_format=JSONCompact`, {
      method: 'POST',
      body: 'SELECT 1 AS x',
      headers: { Authorization: `Basic ${Buffer.from('default:').toString('base64')}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(ok.headers.get('x-clickhouse-format')).toBe('JSONCompact');
    expect(ok.headers.get('x-clickhouse-query-id')).toBe('raw-1');
    expect(ok.headers.get('x-clickhouse-timezone')).toBeTruthy();
    expect(ok.headers.get('x-clickhouse-server-display-name')).toBeTruthy();
    const summary = JSON.parse(ok.headers.get('x-clickhouse-summary') ?? '{}') as Record<
      string,
      unknown
    >;
    expect(Object.keys(summary).sort()).toEqual(
      [
        'elapsed_ns',
        'read_bytes',
        'read_rows',
        'result_bytes',
        'result_rows',
        'total_rows_to_read',
        'written_bytes',
        'written_rows',
      ].sort(),
    );
    expect(Object.values(summary).every((value) => typeof value === 'string')).toBe(true);
    expect(await ok.json()).toMatchObject({ data: [[1]] });

    const tsv = await fetch(
      `${warehouse.url}/?query=${encodeURIComponent('SELECT 1, 2')}&user=u&password=p`,
    );
    expect(tsv.headers.get('content-type')).toBe('text/tab-separated-values; charset=UTF-8');
    expect(await tsv.text()).toBe('1\t2\n');

    const missing = await fetch(`${warehouse.url}/`, {
      method: 'POST',
      body: `SELECT * FROM ${db}.nope`,
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await missing.text()).toMatch(
      /^Code: 60\. DB::Exception: .+\(UNKNOWN_TABLE\) \(version 26\.[\d.]+\)\n$/s,
    );

    const bad = await fetch(`${warehouse.url}/`, { method: 'POST', body: 'SELEC 1' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-clickhouse-exception-code')).toBe('62');
  });
});
