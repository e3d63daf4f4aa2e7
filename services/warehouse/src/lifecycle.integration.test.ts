/** The warehouse process: data survives a restart, shutdown is graceful, limits and port errors. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createClient } from '@clickhouse/client';
import { afterEach, describe, expect, it } from 'vitest';
import { runWarehouseToExit, spawnWarehouse } from './warehouse-process.test-support.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cs-warehouse-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('warehouse process', () => {
  it('keeps its data across a restart on the same directory', async () => {
    const dataDir = tempDir();
    const first = await spawnWarehouse(dataDir);
    const writer = createClient({ url: first.url });
    await writer.command({ query: 'CREATE DATABASE kept' });
    await writer.command({
      query: 'CREATE TABLE kept.t (id UInt32, name String) ENGINE = MergeTree ORDER BY id',
    });
    await writer.insert({
      table: 'kept.t',
      values: [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ],
      format: 'JSONEachRow',
    });
    await writer.close();
    expect(await first.stop()).toBe(0);

    const second = await spawnWarehouse(dataDir);
    const reader = createClient({ url: second.url });
    try {
      const result = await reader.query({
        query: 'SELECT id, name FROM kept.t ORDER BY id',
        format: 'JSONEachRow',
      });
      expect(await result.json()).toEqual([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ]);
    } finally {
      await reader.close();
      expect(await second.stop()).toBe(0);
    }
  });

  it('finishes an in-flight query on SIGTERM, then exits 0', async () => {
    const warehouse = await spawnWarehouse(tempDir());
    const client = createClient({ url: warehouse.url });
    const slow = client.query({ query: 'SELECT sleep(1) AS slept', format: 'JSONEachRow' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exit = warehouse.stop();
    const result = await slow;
    expect(await result.json()).toEqual([{ slept: 0 }]);
    expect(await exit).toBe(0);
    await client.close();
  });

  it('answers 413 beyond the body limit, compressed or not', async () => {
    const warehouse = await spawnWarehouse(tempDir(), { CS_WAREHOUSE_MAX_BODY_BYTES: '1000' });
    try {
      const plain = await fetch(`${warehouse.url}/`, {
        method: 'POST',
        body: `SELECT '${'x'.repeat(2000)}'`,
      });
      expect(plain.status).toBe(413);
      expect(plain.headers.get('x-clickhouse-exception-code')).toBe('229');
      expect(await plain.text()).toMatch(/QUERY_IS_TOO_LARGE/);

      const bomb = gzipSync(Buffer.from(`SELECT '${' '.repeat(100_000)}'`));
      expect(bomb.length).toBeLessThan(1000);
      const zipped = await fetch(`${warehouse.url}/`, {
        method: 'POST',
        body: bomb,
        headers: { 'Content-Encoding': 'gzip' },
      });
      expect(zipped.status).toBe(413);

      const small = await fetch(`${warehouse.url}/`, { method: 'POST', body: 'SELECT 42' });
      expect(await small.text()).toBe('42\n');
    } finally {
      expect(await warehouse.stop()).toBe(0);
    }
  });

  it('runs the engine with the memory bounds of config/engine.xml and its allocator setting', async () => {
    const bounded = await spawnWarehouse(tempDir());
    const client = createClient({ url: bounded.url });
    const read = async (query: string) =>
      (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
    try {
      expect(
        await read(
          "SELECT value FROM system.merge_tree_settings WHERE name = 'max_parts_to_merge_at_once'",
        ),
      ).toEqual([{ value: '3' }]);
      expect(
        await read("SELECT value FROM system.server_settings WHERE name = 'mark_cache_size'"),
      ).toEqual([{ value: '67108864' }]);
      expect(
        await read(
          "SELECT extract(stats, 'opt.dirty_decay_ms: (\\\\d+)') AS decay FROM system.jemalloc_stats",
        ),
      ).toEqual([{ decay: '0' }]);
      // One thread per query, and a request that asks for more gets it only for itself.
      const threads = "SELECT value FROM system.settings WHERE name = 'max_threads'";
      expect(await read(threads)).toEqual([{ value: '1' }]);
      const asked = await client.query({
        query: threads,
        format: 'JSONEachRow',
        clickhouse_settings: { max_threads: 2 },
      });
      expect(await asked.json()).toEqual([{ value: '2' }]);
      expect(await read(threads)).toEqual([{ value: '1' }]);
    } finally {
      await client.close();
      expect(await bounded.stop()).toBe(0);
    }

    // An empty CS_WAREHOUSE_ENGINE_CONFIG leaves chDB's own defaults.
    const plain = await spawnWarehouse(tempDir(), { CS_WAREHOUSE_ENGINE_CONFIG: '' });
    const plainClient = createClient({ url: plain.url });
    try {
      const result = await plainClient.query({
        query:
          "SELECT value FROM system.merge_tree_settings WHERE name = 'max_parts_to_merge_at_once'",
        format: 'JSONEachRow',
      });
      expect(await result.json()).toEqual([{ value: '100' }]);
    } finally {
      await plainClient.close();
      expect(await plain.stop()).toBe(0);
    }
  });

  it('names the port and exits 1 when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const { code, stderr } = await runWarehouseToExit(tempDir(), {
        CS_WAREHOUSE_PORT: String(port),
      });
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${port}`);
    } finally {
      blocker.close();
    }
  });
});
