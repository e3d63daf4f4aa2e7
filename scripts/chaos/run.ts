// One chaos run: a generated workload is ingested in chunks into a fresh pipeline, a fault at a
// random moment of each chunk's ingestion, from a shuffled schedule — kill -9 and restart of each
// service several times, a Kafka broker restart (when the caller can restart its broker), a
// warehouse outage — then, after the drain, every cs.* view is compared with @cs/reference.
// A service that exits by itself (e.g. on a broker outage) is restarted as a supervisor would, and
// that is reported. Used by `npm run chaos` (scripts/chaos.ts) and the small version in
// `npm test` (scripts/e2e/chaos.integration.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestServices } from '@cs/infra/testing';
import { computeReference } from '@cs/reference';
import { ingestCommand } from '@cs/cli';
import { startPipeline, type Pipeline } from '../testing/pipeline.js';
import { formatReport, viewMatches, type ViewDiff } from '../compare/diff.js';
import { queryRows } from '../compare/run.js';
import { compareViews } from '../compare/views.js';
import { COMPARE_TENANTS, generateWorkload, prng, type WorkloadSpec } from '../compare/workload.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Something the run can stop and start again (the broker, the warehouse process). */
export interface Restartable {
  stop(): Promise<void>;
  start(): Promise<void>;
}

export const PROCESSORS = ['sessionizer', 'enricher', 'billing', 'sink'] as const;

export interface ChaosOptions {
  spec: WorkloadSpec;
  services: TestServices;
  /** kill -9 + restart of each processor, at least once. */
  killsPerService: number;
  /** How long the warehouse is unavailable (0: no outage). */
  warehouseOutageMs: number;
  /**
   * How: `proxy` (default) cuts a TCP proxy the services reach the warehouse through — for a
   * shared warehouse; or the warehouse process itself, stopped and started again.
   */
  warehouse?: 'proxy' | Restartable;
  /** Restarts the Kafka broker once; omitted: no broker restart. */
  broker?: Restartable;
  /** How long the broker stays stopped before it starts again (default 0: at once). */
  brokerOutageMs?: number;
  /**
   * The workload is ingested in one chunk per fault plus one; each fault starts up to this long
   * after its chunk's ingestion started.
   */
  faultDelayMs: number;
  /** Seed of the fault schedule (order and moments). */
  scheduleSeed: number;
  /** Longest wait for the pipeline to drain after the last fault. */
  drainTimeoutMs: number;
  log: (line: string) => void;
  /** Examples per view in the report. */
  limit?: number;
}

export interface ChaosAction {
  at: string;
  what: string;
}

export interface ChaosResult {
  actions: ChaosAction[];
  /** Services that exited without being killed, and were restarted. */
  selfExits: string[];
  lines: number;
  drainSeconds: number;
  diffs: ViewDiff[];
  matches: boolean;
  report: string;
}

const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

type Fault =
  | { kind: 'kill'; service: string }
  | { kind: 'broker'; broker: Restartable }
  | { kind: 'warehouse' };

async function ingestChunk(pipeline: Pipeline, file: string): Promise<string> {
  let output = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // NOTE: retries back off 0.5 s … 8 s: 12 of them outlast a broker restart on a loaded machine.
  const code = await ingestCommand.run([file, '--retries=12', '--quiet'], {
    stdout: sink,
    stderr: sink,
    stdin: new PassThrough(),
    env: pipeline.env,
  });
  if (code !== 0) throw new Error(`cs ingest ${file} exited with ${String(code)}:\n${output}`);
  return output.trim();
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { spec, log } = options;
  const random = prng(options.scheduleSeed);
  const started = Date.now();
  const actions: ChaosAction[] = [];
  const say = (what: string): void => {
    const at = new Date().toISOString();
    actions.push({ at, what });
    log(`[${at.slice(11, 23)} +${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);
  };
  const asOf = addDays(spec.start, spec.days - 1);
  const dir = mkdtempSync(join(tmpdir(), 'cs-chaos-'));
  let proxy: TcpProxy | undefined;
  let pipeline: Pipeline | undefined;
  try {
    const workload = await generateWorkload(dir, spec);
    say(`workload: ${String(workload.lines.length)} lines (seed ${String(spec.seed)})`);
    const settings = Object.fromEntries(
      COMPARE_TENANTS.map(({ id, timezone, timeoutMinutes }) => [id, { timezone, timeoutMinutes }]),
    );
    const reference = computeReference(workload.lines, settings, { asOf });
    say(`reference computed (${String(reference.refused_lines.length)} refused lines)`);

    const warehouse = options.warehouse ?? 'proxy';
    if (warehouse === 'proxy' && options.warehouseOutageMs > 0) {
      proxy = await startTcpProxy(options.services.clickhouseUrl);
    }
    pipeline = await startPipeline({
      tenants: [...COMPARE_TENANTS],
      services: options.services,
      ...(proxy === undefined ? {} : { serviceClickhouseUrl: proxy.url }),
    });
    const running = pipeline;
    say(
      `pipeline up: prefix ${running.prefix}, database ${running.database}, ` +
        [...running.processes()]
          .map(([name, app]) => `${name} pid ${String(app.child.pid)}`)
          .join(', '),
    );

    // The supervisor: a service that exits outside a planned kill is restarted and reported.
    const busy = new Set<string>();
    const selfExits: string[] = [];
    const supervising = new AbortController();
    const supervisor = (async () => {
      while (!supervising.signal.aborted) {
        for (const [name, app] of running.processes()) {
          if (busy.has(name)) continue;
          if (app.child.exitCode === null && app.child.signalCode === null) continue;
          busy.add(name);
          const how = app.child.exitCode ?? app.child.signalCode;
          say(`${name} exited by itself (${String(how)}); restarting, see ${app.logFile}`);
          selfExits.push(`${name} (${String(how)})`);
          try {
            const again = await running.restart(name);
            say(`${name} restarted → pid ${String(again.child.pid)}`);
          } catch (error: unknown) {
            say(
              `${name} restart failed: ${error instanceof Error ? error.message : String(error)}`,
            );
          } finally {
            busy.delete(name);
          }
        }
        await sleep(500);
      }
    })();

    // The faults, shuffled.
    const faults: Fault[] = [];
    for (let i = 0; i < options.killsPerService; i += 1) {
      for (const service of PROCESSORS) faults.push({ kind: 'kill', service });
    }
    if (options.broker !== undefined) faults.push({ kind: 'broker', broker: options.broker });
    if (options.warehouseOutageMs > 0) faults.push({ kind: 'warehouse' });
    for (let i = faults.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [faults[i], faults[j]] = [faults[j] as Fault, faults[i] as Fault];
    }

    const runFault = async (fault: Fault): Promise<void> => {
      switch (fault.kind) {
        case 'kill': {
          busy.add(fault.service);
          try {
            const pid = running.processes().get(fault.service)?.child.pid;
            await running.kill(fault.service);
            say(`kill -9 ${fault.service} (pid ${String(pid)})`);
            await sleep(500 + random() * 2500);
            const app = await running.restart(fault.service);
            say(`${fault.service} restarted → pid ${String(app.child.pid)}`);
          } finally {
            busy.delete(fault.service);
          }
          return;
        }
        case 'broker': {
          say('Kafka broker: stopping');
          const down = Date.now();
          await fault.broker.stop();
          await sleep(Math.max(0, (options.brokerOutageMs ?? 0) - (Date.now() - down)));
          say('Kafka broker: stopped; starting');
          await fault.broker.start();
          say(`Kafka broker: up again (down ${((Date.now() - down) / 1000).toFixed(1)} s)`);
          return;
        }
        case 'warehouse': {
          const seconds = (options.warehouseOutageMs / 1000).toFixed(1);
          if (proxy !== undefined) {
            say(`warehouse unavailable for ${seconds} s (proxy cut)`);
            await proxy.outage(options.warehouseOutageMs);
            say('warehouse reachable again (proxy listening)');
          } else if (warehouse !== 'proxy') {
            say(`warehouse: stopping for ${seconds} s`);
            const down = Date.now();
            await warehouse.stop();
            await sleep(Math.max(0, options.warehouseOutageMs - (Date.now() - down)));
            say('warehouse: starting');
            await warehouse.start();
            say(`warehouse up again (down ${((Date.now() - down) / 1000).toFixed(1)} s)`);
          }
          return;
        }
      }
    };

    // The workload in rounds, in file order: one chunk per fault and one more. Each fault starts
    // a random moment (up to faultDelayMs) after its chunk's ingestion started, so it lands while
    // events are being published and processed.
    const chunkCount = faults.length + 1;
    const per = Math.ceil(workload.lines.length / chunkCount);
    const ingestChunkNo = async (i: number): Promise<void> => {
      const file = join(dir, `chunk-${String(i)}.ndjson`);
      writeFileSync(file, `${workload.lines.slice(i * per, (i + 1) * per).join('\n')}\n`);
      const summary = await ingestChunk(running, file);
      const accepted = /accepted:\s*([\d,]+)/.exec(summary)?.[1] ?? '?';
      say(`ingested chunk ${String(i + 1)}/${String(chunkCount)} (${accepted} accepted)`);
      rmSync(file, { force: true });
    };
    try {
      for (let i = 0; i < chunkCount; i += 1) {
        const fault = faults[i];
        const ingesting = ingestChunkNo(i);
        if (fault !== undefined) {
          await sleep(random() * options.faultDelayMs);
          const faulting = runFault(fault);
          const [ingested, faulted] = await Promise.allSettled([ingesting, faulting]);
          if (ingested.status === 'rejected') throw ingested.reason;
          if (faulted.status === 'rejected') throw faulted.reason;
        } else {
          await ingesting;
        }
      }
    } catch (error: unknown) {
      supervising.abort();
      await supervisor;
      throw error;
    }
    say('every fault done, workload ingested; draining');
    const drainStarted = Date.now();
    await running.waitUntilQuiescent(options.drainTimeoutMs);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    supervising.abort();
    await supervisor;
    say(`pipeline quiescent after ${drainSeconds.toFixed(1)} s; comparing with the reference`);

    const diffs = await compareViews(
      queryRows(running),
      reference,
      COMPARE_TENANTS.map(({ id }) => id),
      { from: spec.start, asOf },
    );
    const matches = diffs.length > 0 && diffs.every(viewMatches);
    return {
      actions,
      selfExits,
      lines: workload.lines.length,
      drainSeconds,
      diffs,
      matches,
      report: formatReport(diffs, options.limit),
    };
  } finally {
    await pipeline?.stop();
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
