/**
 * Exactly once across a crash: billing runs as a child process (its real `main`), is SIGKILLed
 * mid-stream and started again; what downstream reads (committed) equals an uninterrupted run of
 * the pure core over the same actions, row for row.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { testServices } from '@cs/infra/testing';
import { formatDecimal, type SubscriptionRecord } from '@cs/schemas';
import { applySubscriptionAction, createAccountBilling, type AccountBilling } from '../index.js';
import {
  TENANT,
  billingWorld,
  subscription,
  valid,
  type BillingWorld,
} from './billing-scenario.test-support.js';
import { eventually, net } from './derived-reader.test-support.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'billing-kill-'));
let w: BillingWorld | undefined;

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await w?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `main.ts` in a child process and resolves once it printed its ready line. */
async function startChild(world: BillingWorld, tenantsFile: string): Promise<ChildProcess> {
  const services = testServices();
  const child = spawn(
    process.execPath,
    ['--conditions=@cs/source', '--import', 'tsx', 'services/billing/src/service/main.ts'],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        KAFKA_BROKERS: services.kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: services.schemaRegistryUrl,
        CS_TENANTS_FILE: tenantsFile,
        CS_TOPIC_PREFIX: world.prefix,
        CS_BILLING_GROUP_ID: world.groupId,
        CS_BILLING_METRICS_PORT: '0',
        CS_BILLING_COMMIT_EVERY: '4',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('billing consuming')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`billing exited with ${String(code)}: ${out}`)));
  });
  return child;
}

/** 24 accounts × 6 actions, some out of order (a later ts published first). */
function actions(): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [];
  const month = (m: number) => `2026-${String(m).padStart(2, '0')}-01T10:00:00Z`;
  for (let a = 0; a < 24; a += 1) {
    const account = `K${a}`;
    const order = a % 3 === 0 ? [1, 2, 4, 3, 6, 5] : [1, 2, 3, 4, 5, 6];
    for (const m of order) {
      const action = m === 4 ? 'cancel' : m === 1 || m === 5 ? 'start' : 'change';
      const amount = action === 'cancel' ? undefined : 10 * ((a % 5) + m);
      list.push(subscription(`${account}-${m}`, account, month(m), action, amount));
    }
  }
  return list;
}

it('a billing process SIGKILLed mid-stream and restarted emits exactly what an uninterrupted run emits', async () => {
  w = await billingWorld('billing_kill');
  const tenantsFile = join(dir, 'tenants.json');
  writeFileSync(
    tenantsFile,
    JSON.stringify({ tenants: [{ id: TENANT, timezone: 'Europe/Paris' }] }),
  );

  // The uninterrupted run: the pure core over each account's actions in publish order.
  const events = actions();
  const states = new Map<string, AccountBilling>();
  type Row = Record<string, unknown> & { sign: number };
  const expectedMovements: Row[] = [];
  const expectedMrr: Row[] = [];
  for (const event of events) {
    const record = valid(event).record as SubscriptionRecord;
    const state = states.get(record.accountId) ?? createAccountBilling(TENANT, record.accountId);
    states.set(record.accountId, state);
    for (const output of applySubscriptionAction(state, record).outputs) {
      const { row } = output;
      if (output.type === 'movement') {
        expectedMovements.push({
          accountId: row.accountId,
          at: row.at,
          kind: output.row.kind,
          before: formatDecimal(row.mrrBefore),
          after: formatDecimal(row.mrrAfter),
          sign: row.sign,
        });
      } else {
        expectedMrr.push({
          accountId: row.accountId,
          at: row.at,
          seq: output.row.seq,
          mrr: formatDecimal(row.mrrAfter),
          sign: row.sign,
        });
      }
    }
  }
  const movementRows = () =>
    w?.reader.rows('mrr-movement').map(({ record: r }) => ({
      accountId: r.accountId,
      at: r.at,
      kind: r.kind,
      before: r.mrrBefore,
      after: r.mrrAfter,
      sign: r.sign,
    })) ?? [];
  const mrrRows = () =>
    w?.reader.rows('account-mrr').map(({ record: r }) => ({
      accountId: r.accountId,
      at: r.at,
      seq: r.seq,
      mrr: r.mrr,
      sign: r.sign,
    })) ?? [];

  const first = await startChild(w, tenantsFile);
  const half = events.length / 2;
  for (let i = 0; i < half; i += 8) await w.publish(...events.slice(i, i + 8));
  // Kill it while it is working through the stream.
  await eventually(mrrRows, (rows) => rows.length >= 10);
  const publishingRest = (async () => {
    for (let i = half; i < events.length; i += 8) await w.publish(...events.slice(i, i + 8));
  })();
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  await publishingRest;

  await startChild(w, tenantsFile);
  await eventually(mrrRows, (rows) => rows.length >= expectedMrr.length, 90_000);
  await eventually(movementRows, (rows) => rows.length >= expectedMovements.length, 30_000);
  // Anything extra (a duplicate from the killed run) would have landed by now.
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  expect(mrrRows()).toHaveLength(expectedMrr.length);
  expect(movementRows()).toHaveLength(expectedMovements.length);
  expect(net(mrrRows())).toEqual(net(expectedMrr));
  expect(net(movementRows())).toEqual(net(expectedMovements));
}, 180_000);
