// `npm start`: the whole system on one machine. Provisions and starts the real services (Kafka,
// the schema registry, the embedded ClickHouse) and the project's own services (the gateway),
// prints where everything is, and on Ctrl-C or SIGTERM stops what it started. A second
// `npm start` reuses the data under .infra/run/<profile>.
import { parseArgs } from 'node:util';
import { createLogger, errorMessage } from '@cs/runtime';
import { stackDown, stackProfile, stackUp, type StackUpResult } from '@cs/infra';
import { migrate } from '@cs/migrate';
import { readGeneration } from '@cs/schemas';
import { Kafka, logLevel } from 'kafkajs';
import { appServices, startApp, stopApp, type RunningApp } from './app-services.js';
import { demoLoaded, demoSummary, formatDemoSummary, loadDemo } from './demo.js';

const log = (line: string): void => console.log(`[start] ${line}`);

const gatewayUrl = (apps: readonly RunningApp[]): string =>
  apps.find((app) => app.service.name === 'gateway')?.service.readyUrl.replace(/\/readyz$/, '') ??
  'http://127.0.0.1:18080';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { profile: { type: 'string' }, 'no-demo': { type: 'boolean' } },
  });
  const demo = values['no-demo'] !== true && process.env.CS_NO_DEMO !== '1';
  const profile = stackProfile(values.profile);
  const began = Date.now();
  log(`bringing up stack '${profile.name}' (data and logs under ${profile.dir})`);

  const apps: RunningApp[] = [];
  const lifecycle = { stopRequested: false };
  // A function, so TypeScript does not narrow the flag across awaits (a signal may set it).
  const stopped = (): boolean => lifecycle.stopRequested;
  const up = stackUp(profile, { log });
  const startAll = (async (): Promise<StackUpResult> => {
    const result = await up;
    const migrations = await migrate({
      url: result.urls.clickhouseUrl,
      log: createLogger({ component: 'migrate', level: 'warn' }),
    });
    log(
      `warehouse schema: ${migrations.length === 0 ? 'up to date' : `applied ${migrations.map((m) => m.name).join(', ')}`}`,
    );
    // The pipeline generation `cs rebuild` made current (0 when never rebuilt).
    const generation = await readGeneration(
      new Kafka({
        clientId: 'cs-start',
        brokers: result.urls.kafkaBrokers,
        logLevel: logLevel.NOTHING,
      }),
      process.env.CS_TOPIC_PREFIX ?? '',
    );
    if (generation > 0) log(`pipeline generation ${String(generation)} (cs rebuild)`);
    for (const service of appServices(result.urls, { generation })) {
      if (stopped()) break;
      const startedAt = Date.now();
      apps.push(await startApp(service, profile.logDir));
      log(`${service.name}: ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    }
    return result;
  })();

  // Stopping first waits for start-up to settle (so a Ctrl-C at any moment leaves nothing
  // running), then stops the apps and the stack services this command started.
  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      lifecycle.stopRequested = true;
      log(`${why}: stopping ...`);
      await startAll.catch(() => undefined);
      for (const app of [...apps].reverse()) {
        await stopApp(app);
        log(`${app.service.name}: stopped`);
      }
      const started = await up.then((result) => result.started).catch(() => []);
      if (started.length > 0) await stackDown(profile, { services: started, log });
      log('stopped');
    })();
    return stopping;
  };
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      signals += 1;
      if (signals > 2) process.exit(130); // a third Ctrl-C: give up waiting
      void stop(signal).then(() => process.exit(0));
    });
  }

  let result: StackUpResult;
  try {
    result = await startAll;
  } catch (error: unknown) {
    log(errorMessage(error));
    await stop('start-up failed');
    process.exit(1);
  }
  if (stopped()) return;
  const { urls } = result;
  let summary = '';
  if (demo) {
    try {
      if (await demoLoaded(urls.clickhouseUrl))
        log('demo tenant already loaded: reusing it (CS_NO_DEMO=1 or --no-demo skips it)');
      else
        await loadDemo(
          profile.dir,
          {
            ...process.env,
            KAFKA_BROKERS: urls.kafkaBrokers.join(','),
            SCHEMA_REGISTRY_URL: urls.schemaRegistryUrl,
            CLICKHOUSE_URL: urls.clickhouseUrl,
          },
          log,
        );
      if (stopped()) return;
      summary = formatDemoSummary(await demoSummary(urls.clickhouseUrl)) + '\n';
    } catch (error: unknown) {
      if (stopped()) return;
      log(`the demo could not be loaded (${errorMessage(error)}); everything else runs`);
    }
  }
  const reused = result.services
    .filter((service) => service.state === 'running')
    .map((service) => service.service);
  console.log(`
[start] ready in ${((Date.now() - began) / 1000).toFixed(1)} s${reused.length > 0 ? ` (already running: ${reused.join(', ')})` : ''}

  Kafka brokers          ${urls.kafkaBrokers.join(',')}
  Schema registry        ${urls.schemaRegistryUrl}   (Confluent API, Apicurio)
  ClickHouse (embedded)  ${urls.clickhouseUrl}        (ClickHouse HTTP interface, chDB)
${apps.map((app) => `  ${app.service.name.padEnd(22)} ${app.service.describe}\n`).join('')}
${summary}
  Next:
    send an event   curl -u dev-only-demo-write-key-DO-NOT-USE-IN-PRODUCTION: ${gatewayUrl(apps)}/v1/events \\
                      -d '{"type":"usage","id":"hello-1","ts":"${new Date().toISOString()}","accountId":"acc-1","userId":"u1","feature":"export"}'
    query (HTTP)    curl '${urls.clickhouseUrl}/?query=SELECT%20*%20FROM%20cs.daily_activity%20ORDER%20BY%20day%20DESC%20LIMIT%205'
    query (cs)      npx cs sql "SELECT * FROM cs.mrr_monthly WHERE tenant = 'demo' ORDER BY month"
                    npx cs sql "SELECT * FROM cs.module_usage(tenant='demo', date_from=today()-30, date_to=today())"
    health          npx cs status
  Logs: ${profile.logDir}

  Ctrl-C stops everything this command started.
`);
  // Stay alive until a signal arrives (the services run in processes of their own).
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  console.error(`[start] ${errorMessage(error)}`);
  process.exit(1);
});
