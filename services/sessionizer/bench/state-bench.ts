/**
 * Memory and CPU of the service's per-partition state (`PartitionState`) at scale, without Kafka:
 *
 *   npm run bench -w @cs/sessionizer     (core bench, this one, then the service bench)
 *   node --expose-gc --conditions=@cs/source --import tsx bench/state-bench.ts
 *
 * BENCH_STATE_USERS users (100,000; two tenants, UTC and Europe/Paris) over BENCH_STATE_DAYS days
 * (2; BENCH_HOT_USERS: users kept decoded per partition, see PartitionState), shaped like `cs generate`'s usage: each user active on ~70% of days with one or two
 * sessions of ~6 events (gaps of ~90 s), ids as short as its. Events arrive in time order, split
 * over 3 partitions like the service's, each with a commit unit every 10,000 of its events
 * (`takeNetRows` and `takeChangelog`, whose records are then dropped as if delivered).
 *
 * Prints events/s and CPU µs per event of `PartitionState.apply`, the users held, heap and RSS per
 * held user (after a full GC, against the same process before the run) and the process's peak RSS.
 * The events are generated into typed arrays first and built one at a time, so the peak is the
 * state's, not the workload's. Asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { type ApplicableEvent } from '../src/apply-event.js';
import { prng } from '../src/service/generate-usage.test-support.js';
import { PartitionState } from '../src/service/partition-state.js';
import { quietLogger, testTenants } from '../src/service/sessionizer.test-support.js';
import { tenantConfigs } from '../src/service/tenant-configs.js';

const USERS = Number(process.env.BENCH_STATE_USERS ?? 100_000);
const DAYS = Number(process.env.BENCH_STATE_DAYS ?? 2);
const PARTITIONS = 3;
const COMMIT_EVERY = 10_000;
const HOT_USERS =
  process.env.BENCH_HOT_USERS === undefined ? undefined : Number(process.env.BENCH_HOT_USERS);
const MODULES = ['Reports', 'Billing', 'Admin', 'Deals', 'Settings', null] as const;
const DAY_MS = 86_400_000;
const MB = 1024 * 1024;

interface Workload {
  ts: Float64Array;
  user: Int32Array;
  module: Uint8Array;
  order: Uint32Array;
}

function workload(): Workload {
  const random = prng(11);
  const start = Date.parse('2026-03-02T00:00:00.000Z');
  const ts: number[] = [];
  const user: number[] = [];
  const module: number[] = [];
  for (let u = 0; u < USERS; u += 1) {
    const favourite = Math.floor(random() * MODULES.length);
    for (let d = 0; d < DAYS; d += 1) {
      if (random() > 0.7) continue;
      const sessions = 1 + Math.floor(random() * 2);
      for (let s = 0; s < sessions; s += 1) {
        let at = start + d * DAY_MS + Math.floor(random() * (DAY_MS - 3_600_000));
        const events = 1 + Math.min(59, Math.floor(-Math.log(1 - random()) * 6));
        for (let e = 0; e < events; e += 1) {
          ts.push(at);
          user.push(u);
          module.push(random() < 0.7 ? favourite : Math.floor(random() * MODULES.length));
          at += 1000 + Math.floor(-Math.log(1 - random()) * 89_000);
        }
      }
    }
  }
  const order = new Uint32Array(ts.length);
  for (let i = 0; i < order.length; i += 1) order[i] = i;
  const tsArray = Float64Array.from(ts);
  order.sort((a, b) => (tsArray[a] ?? 0) - (tsArray[b] ?? 0));
  return { ts: tsArray, user: Int32Array.from(user), module: Uint8Array.from(module), order };
}

/** A fresh event object with fresh strings, as the Avro decoder hands the service one. */
function eventAt(work: Workload, index: number): ApplicableEvent {
  const u = work.user[index] ?? 0;
  return {
    id: `e-${(index + 1).toString(36)}`,
    tenant: u % 3 === 2 ? 't2' : 't1',
    userId: `usr-${(u + 1).toString()}`,
    accountId: `acc-${((u % 997) + 1).toString()}`,
    ts: work.ts[index] ?? 0,
    module: MODULES[work.module[index] ?? 0] ?? null,
    product: 'crm',
    feature: null,
    count: 1,
  };
}

function settledMemory(): { heap: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench passes it)');
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

const mb = (bytes: number): string => `${(bytes / MB).toFixed(0)} MB`;

function main(): void {
  const work = workload();
  const configFor = tenantConfigs(testTenants(), { logger: quietLogger });
  const states = Array.from({ length: PARTITIONS }, () =>
    HOT_USERS === undefined
      ? new PartitionState(configFor)
      : new PartitionState(configFor, { hotUsers: HOT_USERS }),
  );
  const sinceCommit = new Array<number>(PARTITIONS).fill(0);
  const commit = (state: PartitionState): number =>
    state.takeNetRows().sessions.length + state.takeChangelog().length;
  const before = settledMemory();

  let changelog = 0;
  // The sample with the highest RSS, for where the peak is: V8's heap or memory outside it.
  let peakSample = process.memoryUsage();
  const sample = (): void => {
    const now = process.memoryUsage();
    if (now.rss > peakSample.rss) peakSample = now;
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const index of work.order) {
    const event = eventAt(work, index);
    const p = (work.user[index] ?? 0) % PARTITIONS;
    const state = states[p];
    if (state === undefined) throw new Error(`no partition ${p}`);
    state.apply(event, () => undefined);
    sinceCommit[p] = (sinceCommit[p] ?? 0) + 1;
    if ((sinceCommit[p] ?? 0) >= COMMIT_EVERY) {
      changelog += commit(state);
      sinceCommit[p] = 0;
      sample();
    }
  }
  for (const state of states) changelog += commit(state);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const events = work.order.length;
  const after = settledMemory();
  const held = states.reduce((sum, state) => sum + state.userCount, 0);
  const peak = process.resourceUsage().maxRSS * 1024;

  console.log(
    `partition state: ${events.toLocaleString('en-US')} events, ${USERS.toLocaleString('en-US')} users over ${DAYS} days, ${PARTITIONS} partitions` +
      ` | ${Math.round(events / (ms / 1000)).toLocaleString('en-US')} events/s,` +
      ` ${((cpu.user + cpu.system) / events).toFixed(1)} µs CPU per event (changelog ${changelog.toLocaleString('en-US')} records)`,
  );
  console.log(
    `memory: ${held.toLocaleString('en-US')} users held | heap ${Math.round((after.heap - before.heap) / held)} bytes per held user` +
      ` | RSS ${Math.round((after.rss - before.rss) / held)} bytes per held user (${mb(before.rss)} → ${mb(after.rss)})` +
      ` | peak RSS ${mb(peak)} (${mb(before.rss)}, heap ${mb(before.heap)} before the run)`,
  );
  const decodes = states.reduce((sum, state) => sum + state.decodes, 0);
  const hot = states.reduce((sum, state) => sum + state.hotUserCount, 0);
  console.log(
    `cold users decoded: ${(decodes / events).toFixed(2)} per event; ${hot.toLocaleString('en-US')} users decoded (hot) at the end` +
      ` | at the highest sampled RSS (${mb(peakSample.rss)}): heap ${mb(peakSample.heapUsed)} used of ${mb(peakSample.heapTotal)},` +
      ` external ${mb(peakSample.external)} (array buffers ${mb(peakSample.arrayBuffers)})`,
  );
}

main();
