// The demo tenant of `npm start`: generated once (60 days of usage, billing and support for a few
// accounts in a hierarchy), ingested through the real pipeline, then summarised from the cs.* views.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { CsError } from '@cs/runtime';
import { repoRoot } from '@cs/infra';

export const DEMO_TENANT = 'demo';
const DEMO_DAYS = 60;

/** Days of demo usage: CS_DEMO_DAYS (1–366; tests use fewer), default 60, ending yesterday. */
export function demoDays(env: NodeJS.ProcessEnv): number {
  const raw = env.CS_DEMO_DAYS;
  if (raw === undefined || raw === '') return DEMO_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > 366) {
    throw new CsError(
      'DEMO_FAILED',
      `CS_DEMO_DAYS must be a whole number of days 1–366, got '${raw}'`,
    );
  }
  return days;
}

/** Where the demo workload is written in a stack profile's directory (the reference reads it too). */
export const demoFile = (dir: string): string => join(dir, 'demo.ndjson');

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function runCs(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'services', 'cli', 'bin', 'cs.mjs'), ...args],
      {
        cwd: repoRoot,
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new CsError('DEMO_FAILED', `cs ${args[0] ?? ''} exited with code ${String(code)}`),
          ),
    );
  });
}

/** Whether the warehouse already holds the demo tenant (a second `npm start` reuses it). */
export async function demoLoaded(clickhouseUrl: string): Promise<boolean> {
  const client = createClient({ url: clickhouseUrl, log: { level: ClickHouseLogLevel.OFF } });
  try {
    const result = await client.query({
      query: 'SELECT count() AS n FROM cs.daily_activity WHERE tenant = {tenant:String}',
      query_params: { tenant: DEMO_TENANT },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ n: string | number }>();
    return Number(rows[0]?.n ?? 0) > 0;
  } finally {
    await client.close();
  }
}

/** Generates the demo workload into `dir` and ingests it, returning when it is queryable. */
export async function loadDemo(
  dir: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  const today = Date.UTC(
    new Date().getUTCFullYear(),
    new Date().getUTCMonth(),
    new Date().getUTCDate(),
  );
  const file = demoFile(dir);
  const days = demoDays(env);
  const start = isoDay(today - days * 86_400_000);
  log(`generating the demo tenant '${DEMO_TENANT}': ${String(days)} days from ${start} → ${file}`);
  await runCs(
    [
      'generate',
      '--seed',
      '42',
      '--tenants',
      '1',
      '--tenant-names',
      DEMO_TENANT,
      '--accounts',
      '8',
      '--users',
      '60',
      '--days',
      String(days),
      '--start',
      start,
      '--out',
      file,
    ],
    env,
  );
  log(
    'ingesting it through the pipeline (gateway-equivalent publisher → Kafka → processors → sink → ClickHouse) ...',
  );
  await runCs(['ingest', file, '--wait'], env);
}

export interface DemoSummary {
  day: string;
  dau: number | null;
  mau: number | null;
  timePerActiveUserMs: number | null;
  month: string | null;
  mrr: string | null;
  arpa: string | null;
  churnRate: string | null;
  clv: string | null;
}

/** Yesterday's activity and the latest month's revenue figures of the demo tenant, from cs.* views. */
export async function demoSummary(clickhouseUrl: string): Promise<DemoSummary> {
  const day = isoDay(Date.now() - 86_400_000);
  const client = createClient({ url: clickhouseUrl, log: { level: ClickHouseLogLevel.OFF } });
  const one = async <T>(query: string): Promise<T | undefined> => {
    const result = await client.query({
      query,
      query_params: { tenant: DEMO_TENANT, day },
      format: 'JSONEachRow',
    });
    return (await result.json<T>())[0];
  };
  try {
    // NOTE: 64-bit integers arrive as strings from a ClickHouse server, as numbers from chDB.
    const daily = await one<{
      active_users: number | string;
      time_per_active_user_ms: number | string;
    }>(
      'SELECT active_users, time_per_active_user_ms FROM cs.daily_activity WHERE tenant = {tenant:String} AND day = {day:Date}',
    );
    const monthly = await one<{ active_users: number | string }>(
      'SELECT active_users FROM cs.monthly_activity WHERE tenant = {tenant:String} AND day = {day:Date}',
    );
    const revenue = await one<{
      month: string;
      mrr: string;
      arpa: string | null;
      churn_rate: string | null;
      clv: string | null;
    }>(
      'SELECT toString(m.month) AS month, toString(m.mrr) AS mrr, toString(m.arpa) AS arpa, toString(m.churn_rate) AS churn_rate, toString(m.clv) AS clv FROM cs.mrr_monthly AS m WHERE m.tenant = {tenant:String} AND m.month <= toStartOfMonth({day:Date}) ORDER BY m.month DESC LIMIT 1',
    );
    return {
      day,
      dau: daily === undefined ? null : Number(daily.active_users),
      mau: monthly === undefined ? null : Number(monthly.active_users),
      timePerActiveUserMs: daily === undefined ? null : Number(daily.time_per_active_user_ms),
      month: revenue?.month ?? null,
      mrr: revenue?.mrr ?? null,
      arpa: revenue?.arpa ?? null,
      churnRate: revenue?.churn_rate ?? null,
      clv: revenue?.clv ?? null,
    };
  } finally {
    await client.close();
  }
}

const money = (value: string | null): string =>
  value === null || value === '\\N'
    ? '—'
    : Number(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatDemoSummary(summary: DemoSummary): string {
  const minutes =
    summary.timePerActiveUserMs === null
      ? '—'
      : `${(summary.timePerActiveUserMs / 60_000).toFixed(1)} min`;
  const rate =
    summary.churnRate === null || summary.churnRate === '\\N'
      ? '—'
      : `${(Number(summary.churnRate) * 100).toFixed(1)} %`;
  const month = summary.month?.slice(0, 7) ?? '—';
  const rows: Array<[string, string]> = [
    [`DAU (${summary.day})`, String(summary.dau ?? '—')],
    [`MAU (30 days to ${summary.day})`, String(summary.mau ?? '—')],
    [`time per active user (${summary.day})`, minutes],
    [`month-end MRR (${month})`, money(summary.mrr)],
    [`ARPA (${month})`, money(summary.arpa)],
    [`churn rate (${month})`, rate],
    [`CLV (${month})`, money(summary.clv)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `  Demo tenant '${DEMO_TENANT}' (from the cs.* views):`,
    ...rows.map(([label, value]) => `    ${label.padEnd(width)}  ${value}`),
  ].join('\n');
}
