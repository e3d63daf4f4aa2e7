// `npm start` as a newcomer runs it — with the demo tenant, on an isolated profile and ports: the
// printed summary is checked figure by figure against @cs/reference computed from the very file
// the demo generated, then Ctrl-C must leave nothing running.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPortFree, repoRoot, stackProfile, stackStatus } from '@cs/infra';
import { uniqueName } from '@cs/infra/testing';
import { computeReference } from '@cs/reference';
import { demoFile } from './demo.js';

// NOTE: below the kernel's ephemeral range (32768+), where port 0 would pick one: a port from
// there can be taken as the source port of some outgoing connection before the broker binds it.
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (port % 1000 >= 80 && port % 1000 <= 130) continue; // the profiles' own 9092/8081/8123 family
    if (await isPortFree(port)) return port;
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// A smaller demo than the default 60 days keeps npm test's time reasonable; 35 still covers a
// whole 30-day MAU window and two calendar months of revenue.
const DEMO_DAYS = 35;

/** The summary's value after `label`, e.g. `    DAU (2026-11-20)   37` → ['2026-11-20', '37']. */
function printed(output: string, label: RegExp): [string, string] {
  const line = output.split('\n').find((text) => label.test(text.trim()));
  const match = line === undefined ? null : label.exec(line.trim());
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new Error(`the summary has no line ${String(label)}:\n${output}`);
  }
  return [match[1], match[2]];
}

/** A printed amount ('18,495.50', '—') against the reference's exact decimal (or null). */
function expectAmount(shown: string, exact: string | null, what: string): void {
  if (exact === null) {
    expect(shown, what).toBe('—');
    return;
  }
  expect(shown, what).toMatch(/^-?[\d,]+\.\d{2}$/);
  expect(Math.abs(Number(shown.replace(/,/g, '')) - Number(exact)), what).toBeLessThanOrEqual(
    0.005 + 1e-9,
  );
}

function expectDemoSummary(output: string, file: string): void {
  const [day, dau] = printed(output, /^DAU \((\d{4}-\d{2}-\d{2})\)\s+(\S+)$/);
  const [mauDay, mau] = printed(output, /^MAU \(30 days to (\d{4}-\d{2}-\d{2})\)\s+(\S+)$/);
  const [timeDay, time] = printed(output, /^time per active user \((\S+)\)\s+(.+)$/);
  const [month, mrr] = printed(output, /^month-end MRR \((\d{4}-\d{2})\)\s+(\S+)$/);
  const [arpaMonth, arpa] = printed(output, /^ARPA \((\d{4}-\d{2})\)\s+(\S+)$/);
  const [churnMonth, churn] = printed(output, /^churn rate \((\d{4}-\d{2})\)\s+(.+)$/);
  const [clvMonth, clv] = printed(output, /^CLV \((\d{4}-\d{2})\)\s+(\S+)$/);
  expect([arpaMonth, churnMonth, clvMonth]).toEqual([month, month, month]);
  // Yesterday (UTC: the demo tenant's zone), the last day the demo generated.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const today = new Date().toISOString().slice(0, 10);
  expect([yesterday, today]).toContain(day); // `today` only if the run crossed midnight
  expect([mauDay, timeDay]).toEqual([day, day]);
  expect(month).toBe(day.slice(0, 7));

  const tenants = JSON.parse(readFileSync(join(repoRoot, 'config', 'tenants.json'), 'utf8')) as {
    tenants: { id: string; timezone?: string; timeoutMinutes?: number }[];
  };
  const settings = Object.fromEntries(
    tenants.tenants.map((t) => [
      t.id,
      { timezone: t.timezone ?? 'UTC', timeoutMinutes: t.timeoutMinutes ?? 30 },
    ]),
  );
  const ref = computeReference(readFileSync(file, 'utf8').split('\n'), settings, { asOf: day });
  expect(ref.refused_lines).toEqual([]);
  const daily = ref.daily_activity.find((row) => row.tenant === 'demo' && row.day === day);
  const monthly = ref.monthly_activity.find((row) => row.tenant === 'demo' && row.day === day);
  const revenue = ref.mrr_monthly.find(
    (row) => row.tenant === 'demo' && row.month === `${month}-01`,
  );
  if (daily === undefined || monthly === undefined || revenue === undefined) {
    throw new Error(`the reference has no demo figures for ${day} / ${month} in ${file}`);
  }
  expect(daily.active_users).toBeGreaterThan(0);
  expect(Number(dau), 'DAU').toBe(daily.active_users);
  expect(Number(mau), 'MAU').toBe(monthly.active_users);
  expect(time, 'time per active user').toBe(
    `${(daily.time_per_active_user_ms / 60_000).toFixed(1)} min`,
  );
  expectAmount(mrr, revenue.mrr, 'month-end MRR');
  expectAmount(arpa, revenue.arpa, 'ARPA');
  expect(churn, 'churn rate').toBe(
    revenue.churn_rate === null ? '—' : `${(revenue.churn_rate * 100).toFixed(1)} %`,
  );
  expectAmount(clv, revenue.clv, 'CLV');
}

describe('npm start', () => {
  it('brings the stack up, loads the demo, prints a summary that matches the reference, and leaves no process behind after Ctrl-C', async () => {
    const name = uniqueName('start').replace(/_/g, '-').slice(0, 30);
    const ports = {
      CS_KAFKA_PORT: await freePort(),
      CS_KAFKA_CONTROLLER_PORT: await freePort(),
      CS_REGISTRY_PORT: await freePort(),
      CS_REGISTRY_MANAGEMENT_PORT: await freePort(),
      CS_WAREHOUSE_PORT: await freePort(),
      CS_GATEWAY_PORT: await freePort(),
      CS_SESSIONIZER_METRICS_PORT: await freePort(),
      CS_BILLING_METRICS_PORT: await freePort(),
      CS_ENRICHER_METRICS_PORT: await freePort(),
      METRICS_PORT: await freePort(),
    };
    const env = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      CS_STACK: name,
      CS_DEMO_DAYS: String(DEMO_DAYS),
      CS_NO_DEMO: '',
    };
    const profile = stackProfile(name, env);
    // detached: its own process group, which receives the SIGINT the way a terminal's Ctrl-C does.
    const child = spawn('npm', ['start'], {
      cwd: repoRoot,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // NOTE: npm itself dies of the SIGINT at once; scripts/start.ts (same group, same stdout) goes on
    // stopping the services and prints '[start] stopped'. Its stdout closing marks the real end.
    const outputClosed = new Promise<void>((resolve) =>
      child.stdout.once('close', () => resolve()),
    );

    try {
      const deadline = Date.now() + 420_000;
      while (
        !output.includes('[start] ready') &&
        Date.now() < deadline &&
        child.exitCode === null
      ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(output).toContain('[start] ready');
      expect(output).not.toContain('the demo could not be loaded');
      const file = demoFile(profile.dir);
      expect(existsSync(file), file).toBe(true);
      expectDemoSummary(output, file);
      expect(output).toContain(`127.0.0.1:${ports.CS_KAFKA_PORT}`);
      expect(output).toContain(`http://127.0.0.1:${ports.CS_REGISTRY_PORT}/apis/ccompat/v7`);
      expect(output).toContain(`http://127.0.0.1:${ports.CS_WAREHOUSE_PORT}`);
      expect(output).toContain(`gateway                http://127.0.0.1:${ports.CS_GATEWAY_PORT}`);
      const ready = await fetch(`http://127.0.0.1:${ports.CS_GATEWAY_PORT}/readyz`);
      expect(ready.status).toBe(200);
      for (const port of [ports.CS_SESSIONIZER_METRICS_PORT, ports.METRICS_PORT]) {
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(health.status, `service on ${port}`).toBe(200);
      }
      const tables = await fetch(
        `http://127.0.0.1:${ports.CS_WAREHOUSE_PORT}/?query=SHOW%20TABLES%20FROM%20cs`,
      );
      expect(await tables.text()).toContain('daily_activity');

      const running = await stackStatus(profile);
      expect(running.map((service) => service.state)).toEqual(['running', 'running', 'running']);
      const pids = running.flatMap((service) => (service.pid === undefined ? [] : [service.pid]));
      expect(pids).toHaveLength(3);

      if (child.pid === undefined) throw new Error('npm start has no pid');
      expect(child.exitCode, output).toBeNull();
      process.kill(-child.pid, 'SIGINT');
      await outputClosed;
      expect(output, output).toContain('[start] stopped');
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
      for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
    } finally {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone: the assertion that failed above says why.
        }
      }
      rmSync(profile.dir, { recursive: true, force: true });
    }
  }, 540_000);
});
