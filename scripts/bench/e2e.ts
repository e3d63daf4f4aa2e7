// The end-to-end benchmark (part of `npm run bench`, or alone: `npm run bench -- --e2e-only`):
//
//   node --conditions=@cs/source --import tsx scripts/bench/e2e.ts \
//     [--users 20000] [--accounts 200] [--days 2] [--seed 1] [--latency-seconds 60] [--latency-rate N] \
//     [--marker-interval-ms 250] [--out bench/results]
//
// In one run, against KAFKA_BROKERS / SCHEMA_REGISTRY_URL / CLICKHOUSE_URL (or the local `bench`
// profile stack, brought up and stopped again):
//   1. baseline: a raw kafkajs producer and a raw kafkajs consumer (group join included) moving the
//      workload's usage lines, as they are, through a fresh topic of the same partition count;
//   2. end-to-end throughput: the generated workload (`cs generate`, 2 tenants, --users over both)
//      published with `cs ingest` into a fresh pipeline (scripts/testing/pipeline.ts: gateway,
//      sessionizer, enricher, billing, sink as child processes), until every consumer group has
//      caught up (quiescence, read every second: up to ~2 s late);
//   3. latency: a second workload (the following days) published at 50% of the measured end-to-end
//      rate while marker events are POSTed to the gateway one by one; for each marker, the time from
//      the gateway's 200 to its row in cs.daily_activity (polled), p50 and p99;
//   4. peak RSS (VmHWM) of every service process, and the sessionizer's users held (its
//      cs_sessionizer_users gauge) with its RSS growth per held user.
// Prints a table with the targets next to the figures, writes bench/results/<date>-e2e.json.
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { repoRoot, stackDown, stackProfile, stackStatus, stackUp } from '@cs/infra';
import { processCpuSeconds, processMemory, type TestServices } from '@cs/infra/testing';
import { createLogger, errorMessage } from '@cs/runtime';
import { createPublisher } from '@cs/publisher';
import { topicCatalog, validateEvent, type ValidEvent } from '@cs/schemas';
import { ingestCommand } from '@cs/cli';
import { startPipeline, type Pipeline } from '../testing/pipeline.js';

const TENANTS = ['bench1', 'bench2'];
const MARKER_TENANT = 'bmark';
const MARKER_KEY = 'bench-marker-key';
const PARTITIONS = 3;
const MB = 1024 * 1024;

const TARGETS = {
  ratioOfRawConsume: 0.4,
  eventsPerSecond: 20_000,
  p99Ms: 3000,
  rssBytes: 512 * MB,
};

interface Options {
  users: number;
  accounts: number;
  days: number;
  seed: number;
  latencySeconds: number;
  /** Background events/s of the latency run; 0: half the measured end-to-end rate. */
  latencyRate: number;
  markerIntervalMs: number;
  out: string;
}

const log = (line: string): void => void process.stderr.write(`[bench e2e] ${line}\n`);

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      [
        'users',
        'accounts',
        'days',
        'seed',
        'latency-seconds',
        'latency-rate',
        'marker-interval-ms',
        'out',
      ].map((name) => [name, { type: 'string' as const }]),
    ),
    allowPositionals: false,
  });
  const flags = values as Record<string, string | undefined>;
  const num = (name: string, fallback: number, min: number): number => {
    const raw = flags[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new Error(`--${name} must be an integer ≥ ${String(min)}, got '${raw}'`);
    }
    return n;
  };
  return {
    users: num('users', 20_000, 2),
    accounts: num('accounts', 200, 1),
    days: num('days', 2, 1),
    seed: num('seed', 1, 0),
    latencySeconds: num('latency-seconds', 60, 5),
    latencyRate: num('latency-rate', 0, 0),
    markerIntervalMs: num('marker-interval-ms', 250, 20),
    out: flags.out ?? join(repoRoot, 'bench', 'results'),
  };
}

const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function generate(out: string, options: Options, seed: number, start: string, days: number) {
  const perTenant = Math.ceil(options.users / TENANTS.length);
  const args = [
    join(repoRoot, 'services', 'cli', 'bin', 'cs.mjs'),
    'generate',
    ...['--seed', String(seed), '--tenants', String(TENANTS.length)],
    ...['--tenant-names', TENANTS.join(','), '--accounts', String(options.accounts)],
    ...['--users', String(perTenant), '--days', String(days), '--start', start],
    ...['--late-fraction', '0', '--out', out, '--quiet'],
  ];
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`cs generate exited with ${String(code)}`)),
    );
  });
}

async function* lines(file: string): AsyncGenerator<string> {
  const reader = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of reader) if (line !== '') yield line;
}

async function countLines(file: string): Promise<{ all: number; usage: number }> {
  let all = 0;
  let usage = 0;
  for await (const line of lines(file)) {
    all += 1;
    if (line.startsWith('{"type":"usage"')) usage += 1;
  }
  return { all, usage };
}

async function services(): Promise<{ services: TestServices; stop: () => Promise<void> }> {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CLICKHOUSE_URL } = process.env;
  if (KAFKA_BROKERS && SCHEMA_REGISTRY_URL && CLICKHOUSE_URL) {
    return {
      services: {
        kafkaBrokers: KAFKA_BROKERS.split(','),
        schemaRegistryUrl: SCHEMA_REGISTRY_URL,
        clickhouseUrl: CLICKHOUSE_URL,
        source: 'env',
      },
      stop: () => Promise.resolve(),
    };
  }
  const profile = stackProfile(process.env.CS_STACK ?? 'bench');
  const up = await stackUp(profile, { log });
  return {
    services: { ...up.urls, source: 'local' },
    stop: async () => {
      if (up.started.length > 0) await stackDown(profile, { services: up.started, log });
    },
  };
}

/** Raw kafkajs: the usage lines as they are, produced (acks=all) then consumed by a new group. */
async function rawBaseline(services: TestServices, file: string, usage: number) {
  const kafka = new Kafka({
    clientId: 'cs-bench-raw',
    brokers: services.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const topic = `bench-raw-${String(Date.now())}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS }],
    waitForLeaders: true,
  });
  try {
    const producer = kafka.producer();
    await producer.connect();
    const produceStarted = performance.now();
    let batch: Array<{ key: string; value: string }> = [];
    let produced = 0;
    for await (const line of lines(file)) {
      if (!line.startsWith('{"type":"usage"')) continue;
      const user = /"userId":"([^"]*)"/.exec(line)?.[1] ?? '';
      batch.push({ key: user, value: line });
      if (batch.length === 1000) {
        await producer.send({ topic, acks: -1, messages: batch });
        produced += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await producer.send({ topic, acks: -1, messages: batch });
    produced += batch.length;
    const produceSeconds = (performance.now() - produceStarted) / 1000;
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let consumed = 0;
    const consumeStarted = performance.now();
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch: received }) => {
          consumed += received.messages.length;
          if (consumed >= produced) resolve();
          await Promise.resolve();
        },
      });
    });
    await done;
    const consumeSeconds = (performance.now() - consumeStarted) / 1000;
    await consumer.disconnect();
    if (produced !== usage)
      log(`raw: produced ${String(produced)} of ${String(usage)} usage lines`);
    return {
      events: produced,
      produceSeconds,
      producePerSecond: produced / produceSeconds,
      consumeSeconds,
      consumePerSecond: produced / consumeSeconds,
    };
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The CPU each process spent between `before` and now, per event, busiest first. */
function cpuSpent(
  before: Map<string, number | undefined>,
  pids: Map<string, number | undefined>,
  events: number,
): Array<{ name: string; seconds: number; microsPerEvent: number }> {
  return [...pids]
    .map(([name, pid]) => {
      const seconds = (processCpuSeconds(pid) ?? NaN) - (before.get(name) ?? NaN);
      return { name, seconds, microsPerEvent: (seconds / events) * 1e6 };
    })
    .sort((a, b) => b.seconds - a.seconds);
}

/** Peak RSS per process: VmHWM (the kernel's high-water mark) and the largest VmRSS sampled. */
function rssSampler(pids: () => Map<string, number | undefined>) {
  const peaks = new Map<string, { rss: number; hwm: number }>();
  const sample = (): void => {
    for (const [name, pid] of pids()) {
      const now = processMemory(pid);
      if (now === undefined) continue;
      const before = peaks.get(name) ?? { rss: 0, hwm: 0 };
      peaks.set(name, { rss: Math.max(before.rss, now.rss), hwm: Math.max(before.hwm, now.hwm) });
    }
  };
  const timer = setInterval(sample, 500);
  return {
    peaks: () => {
      sample();
      return peaks;
    },
    stop: () => clearInterval(timer),
  };
}

async function sessionizerUsers(pipeline: Pipeline): Promise<number | undefined> {
  const app = pipeline.processes().get('sessionizer');
  if (app === undefined) return undefined;
  const url = app.service.readyUrl.replace(/\/healthz$/, '/metrics');
  try {
    const text = await (await fetch(url)).text();
    let users = 0;
    for (const match of text.matchAll(/^cs_sessionizer_users\{[^}]*\} (\d+(?:\.\d+)?)/gm)) {
      users += Number(match[1]);
    }
    return users;
  } catch {
    return undefined;
  }
}

/** Sum and count of a histogram (all label sets) in each service's /metrics. */
async function histogramTotals(
  pipeline: Pipeline,
  metric: string,
): Promise<Map<string, { sum: number; count: number }>> {
  const totals = new Map<string, { sum: number; count: number }>();
  for (const [name, app] of pipeline.processes()) {
    const url = app.service.readyUrl.replace(/\/healthz$/, '/metrics');
    try {
      const text = await (await fetch(url)).text();
      const total = (suffix: string): number =>
        [...text.matchAll(new RegExp(`^${metric}_${suffix}(?:\\{[^}]*\\})? (\\S+)`, 'gm'))].reduce(
          (sum, match) => sum + Number(match[1]),
          0,
        );
      totals.set(name, { sum: total('sum'), count: total('count') });
    } catch {
      // A service without the metric (or down) has no row.
    }
  }
  return totals;
}

/** Per service: how many of `metric` (batches, inserts) ran between two readings, and their mean. */
function histogramDelta(
  before: Map<string, { sum: number; count: number }>,
  after: Map<string, { sum: number; count: number }>,
): Array<{ name: string; count: number; meanMs: number }> {
  return [...after]
    .map(([name, now]) => {
      const then = before.get(name) ?? { sum: 0, count: 0 };
      const count = now.count - then.count;
      return { name, count, meanMs: count > 0 ? ((now.sum - then.sum) / count) * 1000 : NaN };
    })
    .filter((entry) => entry.count > 0);
}

async function ingest(pipeline: Pipeline, file: string): Promise<string> {
  let output = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await ingestCommand.run([file, '--quiet', '--retries=10'], {
    stdout: sink,
    stderr: sink,
    stdin: new PassThrough(),
    env: pipeline.env,
  });
  if (code !== 0) throw new Error(`cs ingest exited with ${String(code)}:\n${output}`);
  return output.trim();
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

/** Background load at `rate` events/s through the publisher, until `until` (ms, performance.now). */
async function pacedLoad(
  pipeline: Pipeline,
  services: TestServices,
  file: string,
  rate: number,
  until: number,
) {
  const publisher = createPublisher({
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
    topics: topicCatalog({ prefix: pipeline.prefix, partitions: PARTITIONS }),
    logger: createLogger({ component: 'bench-load', write: () => undefined }),
  });
  await publisher.start();
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const started = performance.now();
  let sent = 0;
  let batch: ValidEvent[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: Error | undefined;
  try {
    for await (const line of lines(file)) {
      const result = validateEvent(JSON.parse(line));
      if (!result.ok) continue;
      batch.push(result);
      if (batch.length < perTick) continue;
      // Up to 8 batches in flight: one acknowledgement round trip per tick would cap the rate.
      const publishing: Promise<void> = publisher.publish(batch).then(
        () => void inFlight.delete(publishing),
        (error: unknown) => {
          inFlight.delete(publishing);
          failure ??= error instanceof Error ? error : new Error(errorMessage(error));
        },
      );
      inFlight.add(publishing);
      if (inFlight.size >= 8) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
      sent += batch.length;
      batch = [];
      const now = performance.now();
      if (now >= until) break;
      const due = started + (sent / rate) * 1000;
      if (due > now) await sleep(due - now);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
  } finally {
    await publisher.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  return { sent, seconds, perSecond: sent / seconds };
}

/**
 * When each marker user's record first became readable (read committed) on the topics between the
 * gateway and the sink: the sessionizer's output and the enricher's. Splits a marker's latency into
 * the processors' part and the sink's and warehouse's part.
 */
async function markerStages(pipeline: Pipeline, services: TestServices) {
  const topics = {
    // NOTE: the sessionizer's activity topic (ACTIVITY_TOPIC in its sessionizer-topics.ts).
    sessionized: `${pipeline.prefix}cs.derived.sessionized-usage`,
    enriched: topicCatalog({ prefix: pipeline.prefix }).derived['enriched-usage'].name,
  };
  const seen = new Map<string, Map<string, number>>(
    Object.values(topics).map((topic) => [topic, new Map()]),
  );
  const kafka = new Kafka({
    clientId: 'cs-bench-stages',
    brokers: services.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `${pipeline.prefix}bench-stages`,
    readUncommitted: false,
    maxWaitTimeInMs: 50,
  });
  const prefix = Buffer.from(`${MARKER_TENANT}/`);
  await consumer.connect();
  await consumer.subscribe({ topics: Object.values(topics), fromBeginning: false });
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  await consumer.run({
    autoCommit: false,
    eachBatch: ({ batch }) => {
      const now = performance.now();
      const byUser = seen.get(batch.topic);
      for (const message of batch.messages) {
        const key = message.key;
        if (byUser === undefined || key === null || !key.subarray(0, prefix.length).equals(prefix))
          continue;
        const user = key.subarray(prefix.length).toString();
        if (!byUser.has(user)) byUser.set(user, now);
      }
      return Promise.resolve();
    },
  });
  await joined;
  return {
    /** When `user`'s first record was read on each stage's topic. */
    at: (user: string) => ({
      sessionized: seen.get(topics.sessionized)?.get(user),
      enriched: seen.get(topics.enriched)?.get(user),
    }),
    stop: () => consumer.disconnect(),
  };
}

type MarkerStages = Awaited<ReturnType<typeof markerStages>>;

/** p50 and p99 of the non-missing values, and how many were missing. */
function percentiles(values: ReadonlyArray<number | undefined>) {
  const sorted = values
    .filter((value): value is number => value !== undefined)
    .sort((a, b) => a - b);
  return {
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? NaN,
    missing: values.length - sorted.length,
  };
}

/** Markers through the gateway, one every `intervalMs` until `until`; their visibility polled. */
async function markers(
  pipeline: Pipeline,
  until: number,
  intervalMs: number,
  firstDay: string,
  stages: MarkerStages,
) {
  const gateway = pipeline.gatewayUrl;
  if (gateway === undefined) throw new Error('latency: the pipeline runs no gateway');
  const acked = new Map<string, number>();
  const users = new Map<string, string>();
  const visible = new Map<string, number>();
  let failures = 0;
  const polling = new AbortController();
  const poller = (async () => {
    while (!polling.signal.aborted) {
      const rows = await pipeline.rows<{ day: string }>(
        `SELECT toString(day) AS day FROM {db}.daily_activity WHERE tenant = {tenant:String}`,
        { tenant: MARKER_TENANT },
      );
      const now = performance.now();
      for (const { day } of rows) if (!visible.has(day)) visible.set(day, now);
      await sleep(100);
    }
  })();
  let k = 0;
  const auth = `Bearer ${MARKER_KEY}`;
  while (performance.now() < until) {
    const next = performance.now() + intervalMs;
    // A day per marker (going back from `firstDay`), each a new user: its own daily_activity row.
    const day = addDays(firstDay, -k);
    const event = {
      type: 'usage',
      id: `mark-${String(k)}`,
      ts: `${day}T12:00:00.000Z`,
      accountId: 'mark-acc',
      userId: `mark-user-${String(k)}`,
      product: 'bench',
      module: 'marker',
    };
    k += 1;
    const response = await fetch(`${gateway}/v1/events`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(event),
    });
    await response.arrayBuffer();
    if (response.status === 200) {
      acked.set(day, performance.now());
      users.set(day, event.userId);
    } else failures += 1;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline && [...acked.keys()].some((day) => !visible.has(day))) {
    await sleep(200);
  }
  polling.abort();
  await poller;
  // Per marker: ack → read on the sessionizer's topic → on the enricher's → in the view.
  const steps = [...acked].map(([day, at]) => {
    const { sessionized, enriched } = stages.at(users.get(day) ?? '');
    const view = visible.get(day);
    const since = (from: number | undefined, to: number | undefined) =>
      from === undefined || to === undefined ? undefined : Math.max(0, to - from);
    return {
      total: since(at, view),
      sessionizer: since(at, sessionized),
      enricher: since(sessionized, enriched),
      sinkAndWarehouse: since(enriched, view),
    };
  });
  const total = percentiles(steps.map((step) => step.total));
  return {
    sent: k,
    acked: acked.size,
    refused: failures,
    neverVisible: total.missing,
    p50Ms: total.p50Ms,
    p99Ms: total.p99Ms,
    maxMs: total.maxMs,
    steps: {
      sessionizer: percentiles(steps.map((step) => step.sessionizer)),
      enricher: percentiles(steps.map((step) => step.enricher)),
      sinkAndWarehouse: percentiles(steps.map((step) => step.sinkAndWarehouse)),
    },
  };
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const loadAtStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-e2e-'));
  const { services: svc, stop: stopStack } = await services();
  let pipeline: Pipeline | undefined;
  try {
    const start = '2026-01-01';
    const main = join(dir, 'workload.ndjson');
    log(`generating ${fmt(options.users)} users over ${String(options.days)} days …`);
    await generate(main, options, options.seed, start, options.days);
    const counts = await countLines(main);
    log(`workload: ${fmt(counts.all)} events (${fmt(counts.usage)} usage)`);

    log('baseline: raw kafkajs producer and consumer …');
    const raw = await rawBaseline(svc, main, counts.usage);
    log(`raw: produce ${fmt(raw.producePerSecond)}/s, consume ${fmt(raw.consumePerSecond)}/s`);

    pipeline = await startPipeline({
      tenants: [
        ...TENANTS.map((id) => ({ id, timezone: 'UTC', timeoutMinutes: 30 })),
        { id: MARKER_TENANT, timezone: 'UTC', timeoutMinutes: 30, apiKeys: [MARKER_KEY] },
      ],
      gateway: true,
      partitions: PARTITIONS,
      services: svc,
    });
    const running = pipeline;
    const pids = (): Map<string, number | undefined> =>
      new Map([...running.processes()].map(([name, app]) => [name, app.child.pid]));
    const idle = new Map([...pids()].map(([name, pid]) => [name, processMemory(pid)?.rss ?? NaN]));
    // The embedded warehouse's process, when it is this machine's `bench` profile's.
    const profile = stackProfile(process.env.CS_STACK ?? 'bench');
    const warehousePid =
      new URL(svc.clickhouseUrl).port === String(profile.ports.warehouse)
        ? (await stackStatus(profile)).find((report) => report.service === 'warehouse')?.pid
        : undefined;
    const sampler = rssSampler(() => {
      const all = pids();
      if (warehousePid !== undefined) all.set('warehouse', warehousePid);
      return all;
    });
    // CPU: the services, the local stack's processes, and this process (which runs `cs ingest`).
    const stackPids =
      warehousePid === undefined
        ? []
        : (await stackStatus(profile)).map((report): [string, number | undefined] => [
            report.service,
            report.pid,
          ]);
    const cpuPids = (): Map<string, number | undefined> =>
      new Map([...pids(), ...stackPids, ['bench (cs ingest)', process.pid]]);
    const cpuBefore = new Map([...cpuPids()].map(([name, pid]) => [name, processCpuSeconds(pid)]));

    log(`end to end: ingesting ${fmt(counts.all)} events into ${running.prefix} …`);
    const e2eStarted = performance.now();
    const summary = await ingest(running, main);
    const publishSeconds = (performance.now() - e2eStarted) / 1000;
    log(`published in ${publishSeconds.toFixed(1)} s: ${summary.split('\n')[0] ?? ''}`);
    await running.waitUntilQuiescent(1_800_000);
    const e2eSeconds = (performance.now() - e2eStarted) / 1000;
    const e2eRate = counts.all / e2eSeconds;
    const users = await sessionizerUsers(running);
    const afterThroughput = new Map(
      [...sampler.peaks()].map(([name, peak]) => [name, { ...peak }]),
    );
    const cpu = cpuSpent(cpuBefore, cpuPids(), counts.all);
    const cpuTotal = cpu.reduce(
      (sum, entry) => sum + (Number.isNaN(entry.seconds) ? 0 : entry.seconds),
      0,
    );
    log(`end to end: ${fmt(e2eRate)} events/s (${e2eSeconds.toFixed(1)} s)`);

    // Latency at half load: the next days of the same tenants, paced, with markers alongside.
    // A fixed rate (--latency-rate) compares runs whose measured rates differ (noisy machine).
    const halfRate = options.latencyRate > 0 ? options.latencyRate : e2eRate / 2;
    const needed = Math.ceil(halfRate * (options.latencySeconds + 10));
    const perDay = counts.all / options.days;
    const loadDays = Math.max(1, Math.ceil(needed / perDay));
    const background = join(dir, 'background.ndjson');
    log(`latency: generating ${String(loadDays)} more days for the background load …`);
    await generate(background, options, options.seed + 1, addDays(start, options.days), loadDays);
    log(
      `latency: ${fmt(halfRate)} events/s background for ${String(options.latencySeconds)} s, markers every ${String(options.markerIntervalMs)} ms`,
    );
    const stageMetrics = ['cs_batch_duration_seconds', 'cs_sink_insert_duration_seconds'];
    const stagesBefore = await Promise.all(stageMetrics.map((m) => histogramTotals(running, m)));
    const probe = await markerStages(running, svc);
    const until = performance.now() + options.latencySeconds * 1000;
    const [load, latency] = await Promise.all([
      pacedLoad(running, svc, background, halfRate, until),
      markers(running, until, options.markerIntervalMs, addDays(start, -1), probe),
    ]).finally(() => probe.stop());
    const stagesAfter = await Promise.all(stageMetrics.map((m) => histogramTotals(running, m)));
    const noTotals = new Map<string, { sum: number; count: number }>();
    const stages = stageMetrics.map((metric, i) => ({
      metric,
      perService: histogramDelta(stagesBefore[i] ?? noTotals, stagesAfter[i] ?? noTotals),
    }));
    await running.waitUntilQuiescent(1_800_000);
    const peaks = sampler.peaks();
    sampler.stop();

    const sessionizerIdle = idle.get('sessionizer') ?? NaN;
    const sessionizerPeak = afterThroughput.get('sessionizer')?.hwm ?? NaN;
    const perUser =
      users !== undefined && users > 0 ? (sessionizerPeak - sessionizerIdle) / users : NaN;
    const rss = Object.fromEntries(
      [...peaks].map(([name, peak]) => [
        name,
        {
          vmHwmBytes: peak.hwm,
          maxSampledRssBytes: peak.rss,
          afterThroughputHwmBytes: afterThroughput.get(name)?.hwm ?? NaN,
          idleRssBytes: idle.get(name) ?? NaN,
        },
      ]),
    );

    const ratio = e2eRate / raw.consumePerSecond;
    const rows: Array<[string, string, string, string]> = [
      ['raw kafkajs produce (usage lines, acks=all)', `${fmt(raw.producePerSecond)} ev/s`, '', ''],
      ['raw kafkajs consume (group join included)', `${fmt(raw.consumePerSecond)} ev/s`, '', ''],
      [
        `end to end (${fmt(counts.all)} events, ${fmt(options.users)} users)`,
        `${fmt(e2eRate)} ev/s`,
        `≥ ${fmt(TARGETS.eventsPerSecond)} ev/s`,
        verdict(e2eRate >= TARGETS.eventsPerSecond),
      ],
      [
        'end to end / raw consume',
        `${ratio.toFixed(2)}×`,
        `≥ ${String(TARGETS.ratioOfRawConsume)}×`,
        verdict(ratio >= TARGETS.ratioOfRawConsume),
      ],
      ['  of which publishing (cs ingest)', `${publishSeconds.toFixed(1)} s`, '', ''],
      [
        `  CPU, all processes (${String(cpus().length)} cores × ${e2eSeconds.toFixed(0)} s)`,
        `${cpuTotal.toFixed(1)} s`,
        '',
        '',
      ],
      ...cpu.map(({ name, seconds, microsPerEvent }): [string, string, string, string] => [
        `  CPU ${name}`,
        `${fmt(microsPerEvent)} µs/ev`,
        `${seconds.toFixed(1)} s`,
        '',
      ]),
      [`background load (target ${fmt(halfRate)} ev/s)`, `${fmt(load.perSecond)} ev/s`, '', ''],
      [
        `gateway ack → cs.daily_activity p50 (${String(latency.acked)} markers)`,
        `${fmt(latency.p50Ms)} ms`,
        '',
        '',
      ],
      [
        'gateway ack → cs.daily_activity p99',
        `${fmt(latency.p99Ms)} ms`,
        `≤ ${fmt(TARGETS.p99Ms)} ms`,
        verdict(latency.p99Ms <= TARGETS.p99Ms && latency.neverVisible === 0),
      ],
      ...(
        [
          ['gateway ack → read on the sessionizer output', latency.steps.sessionizer],
          ['  → read on the enricher output', latency.steps.enricher],
          ['  → cs.daily_activity (sink, warehouse, poll)', latency.steps.sinkAndWarehouse],
        ] as const
      ).map(([label, step]): [string, string, string, string] => [
        `  ${label} p50 / p99`,
        `${fmt(step.p50Ms)} / ${fmt(step.p99Ms)} ms`,
        step.missing > 0 ? `${String(step.missing)} unseen` : '',
        '',
      ]),
      ...stages.flatMap(({ metric, perService }) =>
        perService.map(({ name, count, meanMs }): [string, string, string, string] => [
          `  ${name}: ${metric === 'cs_batch_duration_seconds' ? 'batches' : 'inserts'} during the latency run (mean)`,
          `${fmt(meanMs)} ms`,
          `${fmt(count / options.latencySeconds)}/s`,
          '',
        ]),
      ),
      ...[...peaks].map(([name, peak]): [string, string, string, string] => [
        `peak RSS ${name}`,
        `${fmt(peak.hwm / MB)} MB`,
        `≤ ${fmt(TARGETS.rssBytes / MB)} MB`,
        verdict(peak.hwm <= TARGETS.rssBytes),
      ]),
      ['sessionizer users held', fmt(users ?? NaN), '', ''],
      ['sessionizer RSS growth per held user', `${fmt(perUser)} B`, '', ''],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    const table = rows
      .map(
        ([label, value, target, met]) =>
          `${label.padEnd(width)}  ${value.padStart(14)}  ${target.padEnd(14)}  ${met}`,
      )
      .join('\n');
    const loads = (values: number[]): string => values.map((value) => value.toFixed(1)).join(' ');
    process.stdout.write(
      `\nend-to-end benchmark (${new Date().toISOString()}, ${String(cpus().length)} CPUs, ` +
        `load average ${loads(loadAtStart)} at the start, ${loads(loadavg())} at the end)\n${table}\n`,
    );
    if (latency.neverVisible > 0 || latency.refused > 0) {
      process.stdout.write(
        `markers: ${String(latency.refused)} refused by the gateway, ${String(latency.neverVisible)} never visible within 120 s\n`,
      );
    }

    const date = new Date().toISOString().slice(0, 10);
    mkdirSync(options.out, { recursive: true });
    const outFile = join(options.out, `${date}-e2e.json`);
    writeFileSync(
      outFile,
      `${JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          machine: {
            cpus: cpus().length,
            loadAverageAtStart: loadAtStart,
            loadAverageAtEnd: loadavg(),
          },
          options,
          workload: counts,
          raw,
          endToEnd: {
            events: counts.all,
            seconds: e2eSeconds,
            publishSeconds,
            eventsPerSecond: e2eRate,
            ratioOfRawConsume: ratio,
            ingestSummary: summary,
            cpuSeconds: Object.fromEntries(cpu.map(({ name, seconds }) => [name, seconds])),
          },
          latency: { ...latency, backgroundLoad: load, halfRate, stages },
          rss,
          sessionizer: { usersHeld: users, rssGrowthPerUserBytes: perUser },
          targets: {
            eventsPerSecond: {
              target: TARGETS.eventsPerSecond,
              met: e2eRate >= TARGETS.eventsPerSecond,
            },
            ratioOfRawConsume: {
              target: TARGETS.ratioOfRawConsume,
              met: ratio >= TARGETS.ratioOfRawConsume,
            },
            p99Ms: { target: TARGETS.p99Ms, met: latency.p99Ms <= TARGETS.p99Ms },
            rssBytes: {
              target: TARGETS.rssBytes,
              met: [...peaks.values()].every((peak) => peak.hwm <= TARGETS.rssBytes),
            },
          },
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`written ${outFile}\n`);
    return 0;
  } finally {
    await pipeline?.stop();
    await stopStack();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : errorMessage(error));
    process.exit(1);
  },
);
