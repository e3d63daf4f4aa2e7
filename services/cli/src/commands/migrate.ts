import { migrate } from '@cs/migrate';
import { createLogger, errorMessage } from '@cs/runtime';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, processIo } from '../command.js';
import type { CliIo, Command } from '../command.js';
import { parseWarehouseEnv } from '../config.js';

const usage = `Usage: cs migrate [--database NAME] [--cluster CLUSTER]

Applies the pending ClickHouse migrations (infra/clickhouse/NNNN_*.sql) to the warehouse, each
once: the analyst views go to NAME, the fact tables the sink fills to NAME_facts. A second run
applies nothing; a migration file changed after it was applied is refused.

Options:
  -d, --database NAME  analyst database (default cs); lower-case letters, digits and _
  --cluster CLUSTER    render every statement for a ClickHouse cluster: ON CLUSTER CLUSTER and
                       Replicated*MergeTree engines ('/clickhouse/tables/{shard}/{database}/{table}',
                       '{replica}'); default: CS_CLICKHOUSE_CLUSTER, else one server
  -h, --help           show this help

Environment:
  CLICKHOUSE_URL       warehouse HTTP endpoint (default http://127.0.0.1:18123, the embedded one)
  CLICKHOUSE_USER      default: default
  CLICKHOUSE_PASSWORD  default: empty
  CS_CLICKHOUSE_CLUSTER  the cluster, when --cluster is not given

Exit codes: 0 up to date, 1 a migration failed or was changed, 2 bad usage.
`;

async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { database: { type: 'string', short: 'd' }, cluster: { type: 'string' } },
    false,
  );
  const database = values.database ?? 'cs';
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) {
    throw new UsageError(`--database must match ^[a-z_][a-z0-9_]*$, got '${database}'`);
  }
  const cluster = values.cluster ?? (io.env.CS_CLICKHOUSE_CLUSTER || undefined);
  if (cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster)) {
    throw new UsageError(
      `${values.cluster === undefined ? 'CS_CLICKHOUSE_CLUSTER' : '--cluster'} must match ^[A-Za-z_][A-Za-z0-9_]*$, got '${cluster}'`,
    );
  }
  const env = parseWarehouseEnv(io.env);
  const log = createLogger({ component: 'migrate', write: (line) => io.stderr.write(line + '\n') });
  try {
    const applied = await migrate({
      url: env.CLICKHOUSE_URL,
      database,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      ...(cluster === undefined ? {} : { cluster }),
      log,
    });
    const on = cluster === undefined ? '' : ` on cluster ${cluster}`;
    io.stdout.write(
      applied.length === 0
        ? `${database}${on}: up to date\n`
        : applied.map((m) => `${database}${on}: applied ${m.name}\n`).join(''),
    );
    return EXIT_OK;
  } catch (error: unknown) {
    io.stderr.write(`cs migrate: ${errorMessage(error).trim()}\n`);
    return EXIT_FAILURE;
  }
}

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Create or update the warehouse schema (fact tables, materialized views, cs.* views)',
  usage,
  run,
};
