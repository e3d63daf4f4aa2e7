// Compares the real pipeline with the reference implementation, view by view, row by row:
//
//   node --conditions=@cs/source --import tsx scripts/compare-reference.ts \
//     --seed 1 --accounts 6 --users 30 --days 10 [--as-of YYYY-MM-DD] [--start YYYY-MM-DD] \
//     [--late-fraction 0] [--duplicate-fraction 0] [--bad-fraction 0] \
//     [--disorder-fraction 0] [--disorder-hours 6] [--disorder-accounts] [--limit 5]
//
// Services come from KAFKA_BROKERS, SCHEMA_REGISTRY_URL and CLICKHOUSE_URL, or else the local test
// stack is brought up. Exit code 0 only when every view matches (see scripts/compare/README.md).
import { parseArgs } from 'node:util';
import { stackProfile, stackUp } from '@cs/infra';
import type { TestServices } from '@cs/infra/testing';
import { runComparison } from './compare/run.js';
import type { WorkloadSpec } from './compare/workload.js';

function numberFlag(
  values: Record<string, string | undefined>,
  name: string,
  fallback: number,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new Error(`--${name} must be a number ≥ 0, got '${raw}'`);
  }
  return n;
}

async function services(): Promise<TestServices> {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CLICKHOUSE_URL } = process.env;
  if (KAFKA_BROKERS && SCHEMA_REGISTRY_URL && CLICKHOUSE_URL) {
    return {
      kafkaBrokers: KAFKA_BROKERS.split(','),
      schemaRegistryUrl: SCHEMA_REGISTRY_URL,
      clickhouseUrl: CLICKHOUSE_URL,
      source: 'env',
    };
  }
  const { urls } = await stackUp(stackProfile('test'), {
    log: (line) => process.stderr.write(`${line}\n`),
  });
  return { ...urls, source: 'local' };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: Object.fromEntries(
      [
        'seed',
        'accounts',
        'users',
        'days',
        'start',
        'as-of',
        'late-fraction',
        'duplicate-fraction',
        'bad-fraction',
        'disorder-fraction',
        'disorder-hours',
        'limit',
      ]
        .map((name): [string, { type: 'string' | 'boolean' }] => [name, { type: 'string' }])
        .concat([['disorder-accounts', { type: 'boolean' }]]),
    ),
    allowPositionals: false,
  });
  const flags = values as Record<string, string | undefined>;
  const disorderAccounts = (values as Record<string, unknown>)['disorder-accounts'] === true;
  const day = /^\d{4}-\d\d-\d\d$/;
  const start = flags.start ?? '2026-01-01';
  const asOf = flags['as-of'];
  if (!day.test(start) || (asOf !== undefined && !day.test(asOf))) {
    throw new Error('--start and --as-of must be dates YYYY-MM-DD');
  }
  const spec: WorkloadSpec = {
    seed: numberFlag(flags, 'seed', 1),
    accounts: numberFlag(flags, 'accounts', 6),
    users: numberFlag(flags, 'users', 30),
    days: numberFlag(flags, 'days', 10),
    start,
    // In-order by default: the generator's late lines arrive up to 47 h late, past the horizon.
    lateFraction: numberFlag(flags, 'late-fraction', 0),
    duplicateFraction: numberFlag(flags, 'duplicate-fraction', 0),
    badFraction: numberFlag(flags, 'bad-fraction', 0),
    disorderFraction: numberFlag(flags, 'disorder-fraction', 0),
    disorderHours: numberFlag(flags, 'disorder-hours', 6),
    disorderAccounts,
  };
  const log = (line: string): void => void process.stderr.write(`compare: ${line}\n`);
  const result = await runComparison({
    spec,
    ...(asOf === undefined ? {} : { asOf }),
    services: await services(),
    log,
    limit: numberFlag(flags, 'limit', 5),
    stopOnSignal: true,
  });
  process.stdout.write(`${result.report}\n`);
  const mismatched = result.diffs.filter(
    (diff) => diff.differing.length + diff.onlyInView.length + diff.onlyInReference.length > 0,
  );
  process.stdout.write(
    result.matches
      ? `every view matches (${String(result.diffs.length)} compared)\n`
      : `${String(mismatched.length)} of ${String(result.diffs.length)} views differ\n`,
  );
  return result.matches ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `compare-reference: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
