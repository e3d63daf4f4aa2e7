// `npm run bench`: every workspace's benchmark, one at a time, against real services. Brings up the
// local stack (profile `bench`, unless KAFKA_BROKERS / SCHEMA_REGISTRY_URL / CLICKHOUSE_URL name
// services to use), runs `turbo run bench` with those addresses in the environment, and stops
// what it started. Benchmarks print their figures next to a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { errorMessage } from '@cs/runtime';
import { repoRoot, stackDown, stackProfile, stackUp } from '@cs/infra';

async function main(): Promise<number> {
  const given =
    process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL && process.env.CLICKHOUSE_URL;
  const profile = stackProfile(process.env.CS_STACK ?? 'bench');
  const up = given
    ? undefined
    : await stackUp(profile, { log: (line) => console.log(`[bench] ${line}`) });
  const env = up
    ? {
        ...process.env,
        KAFKA_BROKERS: up.urls.kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: up.urls.schemaRegistryUrl,
        CLICKHOUSE_URL: up.urls.clickhouseUrl,
      }
    : process.env;
  try {
    const result = spawnSync(
      'npx',
      ['turbo', 'run', 'bench', '--concurrency=1', '--output-logs=full', ...process.argv.slice(2)],
      {
        cwd: repoRoot,
        env,
        stdio: 'inherit',
      },
    );
    return result.status ?? 1;
  } finally {
    if (up && up.started.length > 0)
      await stackDown(profile, {
        services: up.started,
        log: (line) => console.log(`[bench] ${line}`),
      });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[bench] ${errorMessage(error)}`);
    process.exit(1);
  },
);
