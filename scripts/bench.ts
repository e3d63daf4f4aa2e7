// `npm run bench`: every workspace's benchmark, one at a time, against real services. Brings up the
// local stack (profile `bench`, unless KAFKA_BROKERS / SCHEMA_REGISTRY_URL / CLICKHOUSE_URL name
// services to use), runs `turbo run bench` with those addresses in the environment, then the
// end-to-end benchmark (scripts/bench/e2e.ts), and stops what it started. Benchmarks print their
// figures next to a baseline measured in the same run.
//
//   npm run bench                         every workspace's bench, then the end-to-end one
//   npm run bench -- --e2e-only [--e2e-users 20000 --e2e-days 3 …]   only the end-to-end one
//   npm run bench -- --no-e2e             only the workspaces' benches
// `--e2e-<flag> value` passes `--<flag> value` to scripts/bench/e2e.ts; other arguments go to turbo.
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
  const args = process.argv.slice(2);
  const e2eOnly = args.includes('--e2e-only');
  const noE2e = args.includes('--no-e2e');
  const e2eArgs: string[] = [];
  const turboArgs: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--e2e-only' || arg === '--no-e2e') continue;
    if (arg.startsWith('--e2e-')) {
      const [name, value] = arg.slice('--e2e-'.length).split('=', 2);
      e2eArgs.push(`--${name ?? ''}`, value ?? args[(i += 1)] ?? '');
    } else turboArgs.push(arg);
  }
  try {
    let status = 0;
    if (!e2eOnly) {
      const result = spawnSync(
        'npx',
        ['turbo', 'run', 'bench', '--concurrency=1', '--output-logs=full', ...turboArgs],
        { cwd: repoRoot, env, stdio: 'inherit' },
      );
      status = result.status ?? 1;
    }
    if (!noE2e) {
      const result = spawnSync(
        process.execPath,
        ['--conditions=@cs/source', '--import', 'tsx', 'scripts/bench/e2e.ts', ...e2eArgs],
        { cwd: repoRoot, env, stdio: 'inherit' },
      );
      status = status === 0 ? (result.status ?? 1) : status;
    }
    return status;
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
