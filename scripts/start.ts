// `npm start`: the whole system on one machine. Provisions and starts the real services (Kafka,
// the schema registry, the embedded ClickHouse), prints where everything is, and on Ctrl-C or
// SIGTERM stops what it started. A second `npm start` reuses the data under .infra/run/<profile>.
import { parseArgs } from 'node:util';
import { errorMessage } from '@cs/runtime';
import { stackDown, stackProfile, stackUp, type StackUpResult } from '@cs/infra';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { profile: { type: 'string' }, 'no-demo': { type: 'boolean' } },
  });
  const profile = stackProfile(values.profile);
  const began = Date.now();
  console.log(`[start] bringing up stack '${profile.name}' (data and logs under ${profile.dir})`);

  // A signal during start-up waits for it to finish, then stops what it started: nothing is left
  // running behind a Ctrl-C, whenever it comes.
  const up = stackUp(profile, { log: (line) => console.log(`[start] ${line}`) });
  let stopping: Promise<void> | undefined;
  const stop = (signal: string): Promise<void> => {
    stopping ??= (async () => {
      console.log(`\n[start] ${signal}: stopping ...`);
      const started = await up.then((result) => result.started).catch(() => []);
      if (started.length > 0) {
        await stackDown(profile, {
          services: started,
          log: (line) => console.log(`[start] ${line}`),
        });
      }
      console.log('[start] stopped');
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

  const result: StackUpResult = await up;
  if (stopping !== undefined) return;
  const { urls } = result;
  const reused = result.services
    .filter((service) => service.state === 'running')
    .map((service) => service.service);
  console.log(`
[start] ready in ${((Date.now() - began) / 1000).toFixed(1)} s${reused.length > 0 ? ` (already running: ${reused.join(', ')})` : ''}

  Kafka brokers          ${urls.kafkaBrokers.join(',')}
  Schema registry        ${urls.schemaRegistryUrl}   (Confluent API, Apicurio)
  ClickHouse (embedded)  ${urls.clickhouseUrl}        (ClickHouse HTTP interface, chDB)

  Try:  curl '${urls.clickhouseUrl}/?query=SELECT%20version()'
        npx cs sql "SELECT version()"
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
