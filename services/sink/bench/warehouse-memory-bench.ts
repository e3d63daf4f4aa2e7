/**
 * Peak RSS of the embedded warehouse (services/warehouse, chDB) while it takes the sink's inserts
 * for 1 million usage events over 100k users (issue #6: each service ≤ 512 MB), no Kafka needed:
 *
 *   npm run bench:warehouse-memory -w @cs/sink
 *
 * It starts its own warehouse process (fresh data directory, port 0), migrates one database, and
 * inserts the rows the sink would write for the workload — usage_events, time_slices, sessions,
 * users, accounts — in the sink's batch shape (JSONEachRow, insert_deduplication_token, dependent
 * MV dedup) from BENCH_LANES concurrent lanes (the sink's partition lanes), polling
 * cs.daily_activity once a second as the end-to-end bench's latency probe does. Then it reads
 * every cs.* view and prints a digest of each (compare digests between runs: same inputs, same
 * figures), the warehouse's VmHWM, and the engine's memory gauges.
 *
 * Env: BENCH_USERS (100000), BENCH_EVENTS (1000000 usage events), BENCH_BATCH_ROWS (2000; the e2e
 * sink flushes ~1 s batches of 1–3k rows per lane), BENCH_LANES (3), BENCH_WAREHOUSE_ENV (extra
 * env for the warehouse, `K=V,K=V`). It prints figures; it asserts nothing.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { migrate } from '@cs/migrate';
import { processMemory } from '@cs/infra/testing';
import { createLogger } from '@cs/runtime';
import { dedupToken, mapDerived, type FactRow, type FactTable } from '../src/index.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MB = 1024 * 1024;
const users = Number(process.env.BENCH_USERS ?? 100_000);
const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const batchRows = Number(process.env.BENCH_BATCH_ROWS ?? 2000);
const lanes = Number(process.env.BENCH_LANES ?? 3);
const extraEnv = Object.fromEntries(
  (process.env.BENCH_WAREHOUSE_ENV ?? '')
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const TENANTS = ['bench1', 'bench2'];
const ACCOUNTS_PER_TENANT = 100;
const DAYS = 2;
const DAY0 = 20_635; // 2026-07-01
const quiet = createLogger({ component: 'warehouse-memory-bench', write: () => undefined });

function procStatus(pid: number | undefined): { rss: number; hwm: number } {
  const memory = processMemory(pid);
  if (memory === undefined) throw new Error(`the warehouse (pid ${String(pid)}) is gone`);
  return memory;
}

async function startWarehouse(dataDir: string) {
  const child = spawn(
    process.execPath,
    ['--conditions=@cs/source', '--import', 'tsx', 'services/warehouse/src/main.ts'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CS_WAREHOUSE_PORT: '0', CS_WAREHOUSE_DATA: dataDir, ...extraEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const match = /^warehouse listening on (http:\/\/\S+) /m.exec(stdout);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout.on('data', check);
    void exited.then(([code]) => reject(new Error(`warehouse exited with ${String(code)}`)));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('warehouse has no pid');
  return {
    url,
    pid,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A user's account, and the row streams the sink would insert, in event-time order. */
function* workload(): Generator<{ table: FactTable; row: FactRow }> {
  const perUserDay = events / users / DAYS;
  const account = (u: number) => `acc-${u % ACCOUNTS_PER_TENANT}`;
  const tenant = (u: number) => TENANTS[u % TENANTS.length] ?? 'bench1';
  for (let u = 0; u < users; u++) {
    const record = {
      tenant: tenant(u),
      userId: `user-${u}`,
      accountId: account(u),
      email: `user-${u}@example.com`,
      role: u % 5 === 0 ? 'admin' : null,
      attributes: { plan: u % 3 === 0 ? 'pro' : 'free' },
      ts: DAY0 * 86_400_000,
      day: DAY0,
    };
    yield { table: 'users', row: mapDerived('user-state', record, String(u)) };
  }
  for (const t of TENANTS) {
    for (let a = 0; a < ACCOUNTS_PER_TENANT; a++) {
      const record = {
        tenant: t,
        accountId: `acc-${a}`,
        name: `Account ${a}`,
        parentId: a < 10 ? null : `acc-${a % 10}`,
        joinDate: DAY0 - 100,
        renewalDate: null,
        source: 'crm',
        attributes: {},
        ts: DAY0 * 86_400_000,
        day: DAY0,
      };
      yield { table: 'accounts', row: mapDerived('account-state', record, String(a)) };
    }
  }
  // Events interleave users as the generator's time-ordered output does: round-robin over users,
  // ~perUserDay events per user and day, sessions of ~4 events with a time slice per gap.
  let n = 0;
  for (let d = 0; d < DAYS; d++) {
    const day = DAY0 + d;
    const rounds = Math.ceil(perUserDay);
    for (let r = 0; r < rounds && n < events; r++) {
      for (let u = 0; u < users && n < events; u++) {
        if (r + 1 > perUserDay && (u * 7919 + r) % 1000 >= (perUserDay % 1) * 1000) continue;
        const ts = day * 86_400_000 + 8 * 3_600_000 + r * 600_000 + (u % 600) * 1000;
        const base = { tenant: tenant(u), userId: `user-${u}`, accountId: account(u), day };
        const module = `m${(u + r) % 7}`;
        yield {
          table: 'usage_events',
          row: mapDerived(
            'enriched-usage',
            {
              ...base,
              eventId: `e-${u}-${d}-${r}`,
              ts,
              product: 'app',
              module,
              feature: r % 3 === 0 ? null : `f${(u + r) % 40}`,
              count: 1,
              accountPath: account(u) === 'acc-0' ? ['acc-0'] : ['acc-0', account(u)],
              role: null,
              properties: r % 4 === 0 ? { source: 'web' } : {},
            },
            String(n),
          ),
        };
        n++;
        const sessionId = `s-${u}-${d}-${Math.floor(r / 4)}`;
        if (r % 4 !== 0) {
          yield {
            table: 'time_slices',
            row: mapDerived(
              'time-slice',
              { ...base, sessionId, product: 'app', module, ms: 600_000, sign: 1 },
              '0',
            ),
          };
        }
        if (r % 4 === 3 || r + 1 >= rounds) {
          yield {
            table: 'sessions',
            row: mapDerived(
              'session',
              {
                ...base,
                sessionId,
                startedAt: ts - (r % 4) * 600_000,
                endedAt: ts,
                durationMs: (r % 4) * 600_000,
                events: (r % 4) + 1,
                moduleTimeMs: { [module]: (r % 4) * 600_000 },
                sign: 1,
              },
              '0',
            ),
          };
        }
      }
    }
  }
}

async function digestViews(
  client: ClickHouseClient,
  db: string,
  pid: number,
): Promise<Map<string, string>> {
  const views = await client.query({
    query: `SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name`,
    query_params: { db },
    format: 'JSONEachRow',
  });
  const digests = new Map<string, string>();
  for (const { name } of await views.json<{ name: string }>()) {
    // Parameterised views need arguments; the plain ones are read whole, sorted.
    const result = await client
      .query({ query: `SELECT * FROM ${db}.${name} ORDER BY ALL`, format: 'TabSeparated' })
      .then((r) => r.text())
      .catch(
        (error: unknown) => `error: ${error instanceof Error ? error.message.slice(0, 80) : ''}`,
      );
    if (result.startsWith('error:')) continue;
    const rows = result === '' ? 0 : result.split('\n').length - 1;
    digests.set(
      name,
      `${String(rows)} rows ${createHash('sha256').update(result).digest('hex').slice(0, 12)}  (VmHWM after it ${(procStatus(pid).hwm / MB).toFixed(0)} MB)`,
    );
  }
  return digests;
}

/** The engine's own view of its memory: tracked bytes, jemalloc totals, active parts, merges. */
async function gauges(client: ClickHouseClient): Promise<Record<string, number>> {
  const result = await client.query({
    query: `SELECT
              (SELECT value FROM system.metrics WHERE metric = 'MemoryTracking') AS tracked,
              (SELECT extract(stats, 'Allocated: (\\d+)') FROM system.jemalloc_stats) AS allocated,
              (SELECT extract(stats, 'resident: (\\d+)') FROM system.jemalloc_stats) AS resident,
              (SELECT extract(stats, 'retained: (\\d+)') FROM system.jemalloc_stats) AS retained,
              (SELECT count() FROM system.parts WHERE active) AS parts,
              (SELECT sum(memory_usage) FROM system.merges) AS merging`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<Record<string, string | number>>();
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
}

const inMb = (bytes: number | undefined): string => `${((bytes ?? 0) / MB).toFixed(0)} MB`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warehouse-memory-bench-'));
  const warehouse = await startWarehouse(dataDir);
  const client = createClient({
    url: warehouse.url,
    request_timeout: 300_000,
    log: { level: ClickHouseLogLevel.OFF },
  });
  const db = 'cs';
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, procStatus(warehouse.pid).rss);
  }, 200);
  try {
    await migrate({ url: warehouse.url, database: db, log: quiet });
    const idle = procStatus(warehouse.pid);
    const started = performance.now();

    // Batches are cut from the workload as lanes ask for them (the rows are never all in memory).
    const rowsOf = workload();
    const pending = new Map<FactTable, FactRow[]>();
    let rowsTotal = 0;
    let batchCount = 0;
    let drained = false;
    const nextBatch = (): { table: FactTable; rows: FactRow[] } | undefined => {
      while (!drained) {
        const item = rowsOf.next();
        if (item.done === true) {
          drained = true;
          break;
        }
        const { table, row } = item.value;
        const rows = pending.get(table) ?? [];
        rows.push(row);
        rowsTotal++;
        pending.set(table, rows);
        if (rows.length >= batchRows) {
          pending.delete(table);
          return { table, rows };
        }
      }
      const [rest] = pending;
      if (rest === undefined) return undefined;
      pending.delete(rest[0]);
      return { table: rest[0], rows: rest[1] };
    };

    const probing = { on: true };
    const maxima: Record<string, number> = {};
    const probe = (async () => {
      while (probing.on) {
        for (const [k, v] of Object.entries(await gauges(client)))
          maxima[k] = Math.max(maxima[k] ?? 0, v);
        await client
          .query({ query: `SELECT * FROM ${db}.daily_activity`, format: 'JSONEachRow' })
          .then((r) => r.json());
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (;;) {
          const batch = nextBatch();
          if (batch === undefined) return;
          const index = batchCount++;
          const range = {
            first: String(index * batchRows),
            last: String(index * batchRows + batch.rows.length - 1),
          };
          await client.insert({
            table: `${db}_facts.${batch.table}`,
            values: batch.rows,
            format: 'JSONEachRow',
            clickhouse_settings: {
              insert_deduplicate: 1,
              insert_deduplication_token: dedupToken(batch.table, 'bench', lane, range),
              deduplicate_blocks_in_dependent_materialized_views: 1,
              async_insert: 0,
            },
          });
        }
      }),
    );
    probing.on = false;
    await probe;
    const insertSeconds = (performance.now() - started) / 1000;
    const afterInsert = procStatus(warehouse.pid);
    const digests = await digestViews(client, db, warehouse.pid);
    const end = procStatus(warehouse.pid);
    const engine = await gauges(client);
    const partsByTable = await client
      .query({
        query: `SELECT table, count() AS parts, formatReadableSize(sum(bytes_on_disk)) AS size
                FROM system.parts WHERE active AND database = {facts:String}
                GROUP BY table ORDER BY parts DESC LIMIT 5`,
        query_params: { facts: `${db}_facts` },
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ table: string; parts: number; size: string }>());

    console.log(
      `warehouse memory bench: ${String(users)} users, ${String(events)} usage events, ${String(rowsTotal)} rows in ${String(batchCount)} batches of ≤ ${String(batchRows)}, ${String(lanes)} lanes, env ${JSON.stringify(extraEnv)}`,
    );
    console.log(
      `  inserts: ${insertSeconds.toFixed(1)} s (${Math.round(rowsTotal / insertSeconds).toLocaleString('en')} rows/s)`,
    );
    console.log(`  RSS idle after migrate     ${(idle.rss / MB).toFixed(0)} MB`);
    console.log(
      `  VmHWM after inserts        ${(afterInsert.hwm / MB).toFixed(0)} MB (RSS then ${(afterInsert.rss / MB).toFixed(0)} MB)`,
    );
    console.log(
      `  VmHWM after reading views  ${(end.hwm / MB).toFixed(0)} MB (RSS then ${(end.rss / MB).toFixed(0)} MB, max sampled ${(peakRss / MB).toFixed(0)} MB)`,
    );
    console.log(
      `  engine, largest seen while inserting: tracked ${inMb(maxima.tracked)}, jemalloc allocated ${inMb(maxima.allocated)} resident ${inMb(maxima.resident)} retained ${inMb(maxima.retained)}, merges ${inMb(maxima.merging)}, active parts ${String(maxima.parts)}`,
    );
    console.log(
      `  engine at the end: tracked ${inMb(engine.tracked)}, jemalloc allocated ${inMb(engine.allocated)} resident ${inMb(engine.resident)} retained ${inMb(engine.retained)}, active parts ${String(engine.parts)}`,
    );
    console.log(
      `  most parts at the end: ${partsByTable.map((t) => `${t.table} ${String(t.parts)} (${t.size})`).join(', ')}`,
    );
    console.log('  view digests:');
    for (const [name, digest] of digests) console.log(`    ${name.padEnd(28)} ${digest}`);
  } finally {
    clearInterval(sampler);
    await client.close();
    await warehouse.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
