// The project's own services that `npm start` runs in the foreground next to the stack: each a
// child process running its TypeScript entry point, logging to .infra/run/<profile>/logs/<name>.log,
// ready when its readiness URL answers 200, stopped with SIGTERM (graceful) on the way out.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CsError } from '@cs/runtime';
import { repoRoot } from '@cs/infra';
import { generationName } from '@cs/schemas';

export interface AppService {
  name: string;
  /** Entry point, relative to the repo root. */
  entry: string;
  env: Record<string, string>;
  readyUrl: string;
  /** What to print once it runs. */
  describe: string;
}

export interface RunningApp {
  service: AppService;
  child: ChildProcess;
  logFile: string;
}

interface AppServiceSpec {
  name: string;
  entry: string;
  /** The env var that sets its HTTP port, and the port when unset. */
  portEnv: string;
  defaultPort: number;
  readyPath: string;
  describe: (url: string) => string;
}

// In start-up order: the gateway first (producers can send while the rest starts), the sink last.
const SPECS: readonly AppServiceSpec[] = [
  {
    name: 'gateway',
    entry: 'services/gateway/src/main.ts',
    portEnv: 'CS_GATEWAY_PORT',
    defaultPort: 18080,
    readyPath: '/readyz',
    describe: (url) => `${url}   (POST /v1/events, Segment /v1/track|identify|group|batch)`,
  },
  {
    name: 'sessionizer',
    entry: 'services/sessionizer/src/service/main.ts',
    portEnv: 'CS_SESSIONIZER_METRICS_PORT',
    defaultPort: 18201,
    readyPath: '/healthz',
    describe: (url) => `${url}/metrics   (usage → sessions, time slices)`,
  },
  {
    name: 'billing',
    entry: 'services/billing/src/service/main.ts',
    portEnv: 'CS_BILLING_METRICS_PORT',
    defaultPort: 18202,
    readyPath: '/healthz',
    describe: (url) => `${url}/metrics   (subscriptions → MRR movements; invoices, tickets)`,
  },
  {
    name: 'enricher',
    entry: 'services/enricher/src/service/main.ts',
    portEnv: 'CS_ENRICHER_METRICS_PORT',
    defaultPort: 18203,
    readyPath: '/healthz',
    describe: (url) => `${url}/metrics   (accounts, hierarchy, users → enriched usage)`,
  },
  {
    name: 'sink',
    entry: 'services/sink/src/main.ts',
    portEnv: 'METRICS_PORT',
    defaultPort: 18204,
    readyPath: '/healthz',
    describe: (url) => `${url}/metrics   (derived topics → ClickHouse, exactly once)`,
  },
];

/** What a caller other than `npm start` (the end-to-end test harness) changes. */
export interface AppServiceOverrides {
  /** Extra env for every service: topic prefix, group ids, tenants file, facts database, … */
  env?: Record<string, string>;
  /** HTTP ports by service name, instead of each service's port env var or default. */
  ports?: Partial<Record<string, number>>;
  /** Only the services with these names. */
  only?: readonly string[];
  /**
   * The pipeline generation to run (see @cs/schemas generation.ts; `readGeneration` gives the
   * current one): passed as CS_PIPELINE_GENERATION, and the consumer groups (from `env`, the
   * process env or the services' defaults) get its suffix.
   */
  generation?: number;
}

/** Each stream service's consumer-group env var and its default (generation-0) group. */
const GROUP_ENV: readonly (readonly [string, string])[] = [
  ['CS_SESSIONIZER_GROUP_ID', 'cs-sessionizer'],
  ['CS_ENRICHER_GROUP_ID', 'cs-enricher'],
  ['CS_BILLING_GROUP_ID', 'cs-billing'],
  ['CS_SINK_GROUP', 'cs-sink'],
];

/** The app services of this checkout (those whose entry point exists), configured for the stack. */
export function appServices(
  urls: {
    kafkaBrokers: string[];
    schemaRegistryUrl: string;
    clickhouseUrl: string;
  },
  overrides: AppServiceOverrides = {},
): AppService[] {
  const common: Record<string, string> = {
    KAFKA_BROKERS: urls.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: urls.schemaRegistryUrl,
    CLICKHOUSE_URL: urls.clickhouseUrl,
    ...overrides.env,
  };
  const generation = overrides.generation ?? 0;
  common.CS_PIPELINE_GENERATION = String(generation);
  for (const [name, fallback] of GROUP_ENV) {
    const base = overrides.env?.[name] ?? process.env[name] ?? fallback;
    common[name] = generationName(base, generation);
  }
  const wanted = (name: string): boolean =>
    overrides.only === undefined || overrides.only.includes(name);
  const present = SPECS.filter((spec) => existsSync(join(repoRoot, spec.entry)));
  return present
    .filter((spec) => wanted(spec.name))
    .map((spec) => {
      const override = overrides.ports?.[spec.name];
      const port =
        override === undefined
          ? (process.env[spec.portEnv] ?? String(spec.defaultPort))
          : String(override);
      const url = `http://127.0.0.1:${port}`;
      return {
        name: spec.name,
        entry: spec.entry,
        env: { ...common, [spec.portEnv]: port },
        readyUrl: `${url}${spec.readyPath}`,
        describe: spec.describe(url),
      };
    });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export async function startApp(
  service: AppService,
  logDir: string,
  timeoutMs = 60_000,
): Promise<RunningApp> {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${service.name}.log`);
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      [
        // CS_NODE_ARGS: extra node flags for every service (e.g. `--cpu-prof --cpu-prof-dir=DIR`,
        // which node refuses in NODE_OPTIONS).
        ...(process.env.CS_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
        '--conditions=@cs/source',
        '--import',
        'tsx',
        join(repoRoot, service.entry),
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, ...service.env },
        stdio: ['ignore', log, log],
      },
    );
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new CsError(
        'SERVICE_DIED',
        `${service.name} exited with code ${child.exitCode} during start-up; see ${logFile}`,
      );
    }
    if (await answers(service.readyUrl)) return { service, child, logFile };
    await sleep(250);
  }
  child.kill('SIGKILL');
  throw new CsError(
    'SERVICE_TIMEOUT',
    `${service.name} was not ready within ${timeoutMs / 1000} s; see ${logFile}`,
  );
}

/** SIGTERM, and SIGKILL after `graceMs` if it has not exited. */
export async function stopApp(app: RunningApp, graceMs = 15_000): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => app.child.once('exit', () => resolve()));
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
