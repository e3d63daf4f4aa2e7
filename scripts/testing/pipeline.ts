// The end-to-end test harness: the whole pipeline (gateway, sessionizer, enricher, billing, sink)
// as child processes — the same entry points `npm start` runs — against the test run's Kafka,
// registry and ClickHouse, isolated by name: a unique topic prefix, unique consumer groups and a
// unique, freshly migrated warehouse database.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { isPortFree, repoRoot } from '@cs/infra';
import { testServices, uniqueName, type TestServices } from '@cs/infra/testing';
import { migrate } from '@cs/migrate';
import { createLogger, retryingKafka } from '@cs/runtime';
import {
  createSchemaRegistry,
  ensureTopics,
  generationName,
  readGeneration,
  registerSchemas,
  topicCatalog,
} from '@cs/schemas';
import { pipelineLag, waitForQuiescence, type LagSnapshot } from '@cs/cli';
import { appServices, startApp, stopApp, type RunningApp } from '../app-services.js';

export interface PipelineTenant {
  id: string;
  timezone?: string;
  timeoutMinutes?: number;
  apiKeys?: string[];
}

export interface PipelineOptions {
  /** Topic prefix; default a unique one. */
  prefix?: string;
  /** The analyst database (facts in `<database>_facts`); default a unique one. */
  database?: string;
  /** Tenants written to the run's tenants file (the gateway needs one with an API key). */
  tenants: PipelineTenant[];
  /** Start the HTTP gateway too. */
  gateway?: boolean;
  /** Partitions of every topic (the catalog's CS_TOPIC_PARTITIONS). */
  partitions?: number;
  services?: TestServices;
  /** The ClickHouse URL the services use instead of the test run's (e.g. a proxy in front of it). */
  serviceClickhouseUrl?: string;
  /** Extra env for every service process. */
  serviceEnv?: Record<string, string>;
}

export interface Pipeline {
  prefix: string;
  database: string;
  factsDatabase: string;
  /** Consumer groups of the current generation, upstream first. */
  readonly groups: string[];
  /** The pipeline generation the services run (0 until a `cs rebuild`). */
  readonly generation: number;
  /**
   * Env for an in-process `cs rebuild` of this pipeline: brokers, registry, warehouse and
   * database, prefix, partitions, tenants file and the generation-0 group names.
   */
  rebuildEnv: Record<string, string>;
  /** Env for an in-process `cs ingest` (brokers, registry, prefix, partitions, groups). */
  env: Record<string, string>;
  /** The gateway's base URL, when started. */
  gatewayUrl: string | undefined;
  clickhouse: ClickHouseClient;
  /** Rows of a query; `{db}` is replaced by the analyst database. Decimals as exact strings. */
  rows<T>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Resolves when every group has consumed everything (see services/cli/src/status/quiescence.ts). */
  waitUntilQuiescent(timeoutMs?: number): Promise<LagSnapshot>;
  /** The running service processes by name (pid, child). */
  processes(): ReadonlyMap<string, RunningApp>;
  /** SIGKILLs a service process (kill -9) and resolves once it has exited. */
  kill(name: string): Promise<void>;
  /** Starts a service again with the same configuration (after kill or its own exit). */
  restart(name: string): Promise<RunningApp>;
  /** Stops every service (SIGTERM), keeping topics and tables (e.g. before `cs rebuild`). */
  stopServices(): Promise<void>;
  /** Starts every service again, in the generation current now (re-read from Kafka). */
  startServices(): Promise<void>;
  stop(): Promise<void>;
}

// NOTE: below the kernel's ephemeral range (32768+), where port 0 would pick one: a port from there
// can be taken as the source port of an outgoing connection before the service binds it.
async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (port % 1000 >= 80 && port % 1000 <= 130) continue; // the stack profiles' port family
    if (taken.has(port)) continue;
    if (await isPortFree(port)) {
      taken.add(port);
      return port;
    }
  }
}

const quiet = createLogger({ component: 'e2e-pipeline', write: () => undefined });

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const services = options.services ?? testServices();
  const run = uniqueName('e2e');
  const prefix = options.prefix ?? `${run}_`;
  const database = options.database ?? uniqueName('cs_e2e');
  const partitions = options.partitions ?? 3;
  // Generation-0 names; a generation n > 0 runs them with the suffix `.g<n>`.
  const baseGroups = {
    sessionizer: `${run}_sessionizer`,
    enricher: `${run}_enricher`,
    billing: `${run}_billing`,
    sink: `${run}_sink`,
  };
  const groupsOf = (generation: number): string[] =>
    Object.values(baseGroups).map((group) => generationName(group, generation));
  const runDir = join(repoRoot, '.infra', 'e2e', run);
  mkdirSync(runDir, { recursive: true });
  const tenantsFile = join(runDir, 'tenants.json');
  writeFileSync(tenantsFile, JSON.stringify({ tenants: options.tenants }, null, 2));

  await migrate({ url: services.clickhouseUrl, database, log: quiet });
  const kafka = new Kafka({
    clientId: 'cs-e2e',
    brokers: services.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  // Topics and subjects are made up front: services starting side by side would race to create
  // the same topic, or to register a subject while another sets its compatibility.
  let generation = await readGeneration(kafka, prefix);
  const catalog = topicCatalog({ prefix, partitions, generation });
  await retryingKafka(() => ensureTopics(admin, catalog));
  await registerSchemas(createSchemaRegistry({ host: services.schemaRegistryUrl }), catalog);

  const env: Record<string, string> = {
    KAFKA_BROKERS: services.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: services.schemaRegistryUrl,
    CS_TOPIC_PREFIX: prefix,
    CS_TOPIC_PARTITIONS: String(partitions),
    CS_PIPELINE_GROUPS: groupsOf(generation).join(','),
  };
  const taken = new Set<number>();
  const ports: Record<string, number> = {};
  for (const name of ['gateway', 'sessionizer', 'enricher', 'billing', 'sink']) {
    ports[name] = await freePort(taken);
  }
  const serviceUrls = {
    ...services,
    clickhouseUrl: options.serviceClickhouseUrl ?? services.clickhouseUrl,
  };
  const serviceEnv: Record<string, string> = {
    ...env,
    CS_TENANTS_FILE: tenantsFile,
    CS_SESSIONIZER_GROUP_ID: baseGroups.sessionizer,
    CS_ENRICHER_GROUP_ID: baseGroups.enricher,
    CS_BILLING_GROUP_ID: baseGroups.billing,
    CS_SINK_GROUP: baseGroups.sink,
    CS_FACTS_DATABASE: `${database}_facts`,
    // Short session timeouts: a restarted or stopped member hands its partitions back quickly.
    CS_SESSIONIZER_SESSION_TIMEOUT_MS: '10000',
    CS_SINK_SESSION_TIMEOUT_MS: '10000',
    CS_SINK_BATCH_MS: '300',
    LOG_LEVEL: 'warn',
    ...options.serviceEnv,
  };
  const specsOf = (of: number) =>
    appServices(serviceUrls, {
      env: serviceEnv,
      generation: of,
      ports,
      only: ['sessionizer', 'enricher', 'billing', 'sink', ...(options.gateway ? ['gateway'] : [])],
    });
  let specs = specsOf(generation);
  const rebuildEnv: Record<string, string> = {
    ...serviceEnv,
    CLICKHOUSE_URL: serviceUrls.clickhouseUrl,
    CLICKHOUSE_DATABASE: database,
  };
  delete rebuildEnv.CS_FACTS_DATABASE;
  delete rebuildEnv.CS_PIPELINE_GROUPS;
  const byName = new Map<string, RunningApp>();
  const clickhouse = createClient({
    url: services.clickhouseUrl,
    log: { level: ClickHouseLogLevel.OFF },
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all([...byName.values()].map((app) => stopApp(app)));
      await admin.disconnect();
      await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}_facts` });
      await clickhouse.close();
      rmSync(join(runDir, 'tenants.json'), { force: true });
    })();
    return stopping;
  };

  const startAll = async (): Promise<void> => {
    const started = await Promise.allSettled(
      specs.map(async (spec) => {
        const app = await startApp(spec, join(runDir, 'logs'), 120_000);
        byName.set(spec.name, app);
        return app;
      }),
    );
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await stop();
      throw failed.reason;
    }
  };
  await startAll();

  return {
    prefix,
    database,
    factsDatabase: `${database}_facts`,
    get groups() {
      return groupsOf(generation);
    },
    get generation() {
      return generation;
    },
    rebuildEnv,
    env,
    gatewayUrl: options.gateway ? `http://127.0.0.1:${String(ports.gateway)}` : undefined,
    clickhouse,
    async rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
      const result = await clickhouse.query({
        query: query.replaceAll('{db}', database),
        query_params: params,
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_decimals: 1 },
      });
      return result.json<T>();
    },
    waitUntilQuiescent(timeoutMs = 120_000) {
      return waitForQuiescence({
        measure: () => pipelineLag(admin, groupsOf(generation)),
        timeoutMs,
        intervalMs: 1000,
      });
    },
    processes: () => byName,
    async kill(name) {
      const app = byName.get(name);
      if (app === undefined) throw new Error(`kill: no service named '${name}' in this pipeline`);
      if (app.child.exitCode !== null || app.child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => app.child.once('exit', () => resolve()));
      app.child.kill('SIGKILL');
      await exited;
    },
    async restart(name) {
      const spec = specs.find((candidate) => candidate.name === name);
      if (spec === undefined) {
        throw new Error(`restart: no service named '${name}' in this pipeline`);
      }
      const app = await startApp(spec, join(runDir, 'logs'), 120_000);
      byName.set(name, app);
      return app;
    },
    async stopServices() {
      await Promise.all([...byName.values()].map((app) => stopApp(app)));
    },
    async startServices() {
      generation = await readGeneration(kafka, prefix);
      env.CS_PIPELINE_GROUPS = groupsOf(generation).join(',');
      const current = topicCatalog({ prefix, partitions, generation });
      await retryingKafka(() => ensureTopics(admin, current));
      await registerSchemas(createSchemaRegistry({ host: services.schemaRegistryUrl }), current);
      specs = specsOf(generation);
      await startAll();
    },
    stop,
  };
}
