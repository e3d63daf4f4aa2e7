import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { EXIT_FAILURE, EXIT_OK, UsageError, processIo } from '../command.js';
import type { CliIo, Command } from '../command.js';
import { parseWarehouseEnv } from '../config.js';
import { COMMON_FORMATS, parseSqlArgs, statementWithFormat } from './sql-options.js';
import { errorMessage } from '@cs/runtime';

const usage = `Usage: cs sql QUERY|- [--format FORMAT]

Runs one SQL statement against the warehouse and streams the result to stdout.

Arguments:
  QUERY              the statement, quoted as one argument; - reads it from stdin

Options:
  -f, --format NAME  ClickHouse output format (${COMMON_FORMATS.join(', ')}, …);
                     default PrettyCompact on a terminal, TSV otherwise
  -h, --help         show this help

Environment:
  CLICKHOUSE_URL       warehouse HTTP endpoint (default http://127.0.0.1:18123, the embedded one)
  CLICKHOUSE_USER      default: default
  CLICKHOUSE_PASSWORD  default: empty
  CLICKHOUSE_DATABASE  default database for unqualified names (optional)

Examples:
  cs sql "SELECT tenant, day, active_users FROM cs.daily_activity ORDER BY day LIMIT 10"
  cs sql --format JSONEachRow "SELECT * FROM cs.mrr_monthly WHERE tenant = 'acme'"
  echo "SELECT count() FROM cs.dead_letters" | cs sql -

Exit codes: 0 ok, 1 the warehouse refused or failed the query, 2 bad usage.
`;

async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const options = parseSqlArgs(argv, io.stdout.isTTY === true);
  const query = options.query.from === 'stdin' ? await text(io.stdin) : options.query.text;
  if (query.trim() === '') throw new UsageError('the query read from stdin is empty');
  const env = parseWarehouseEnv(io.env);
  const client = createClient({
    url: env.CLICKHOUSE_URL,
    username: env.CLICKHOUSE_USER,
    password: env.CLICKHOUSE_PASSWORD,
    ...(env.CLICKHOUSE_DATABASE === undefined ? {} : { database: env.CLICKHOUSE_DATABASE }),
    // The failure is reported once, below, as the command's own message; the client's logger
    // would print it again with a stack.
    log: { level: ClickHouseLogLevel.OFF },
  });
  try {
    // NOTE: exec returns the raw response body as a stream, in whatever format was asked for;
    // client.query would parse it and only supports its own list of formats.
    const result = await client.exec({ query: statementWithFormat(query, options.format) });
    await pipeline(result.stream, io.stdout, { end: false });
    return EXIT_OK;
  } catch (error: unknown) {
    const hint = isConnectionRefused(error)
      ? ` (is the warehouse running at ${env.CLICKHOUSE_URL}? start it with npm start)`
      : '';
    io.stderr.write(`cs sql: ${errorMessage(error).trim()}${hint}\n`);
    return EXIT_FAILURE;
  } finally {
    await client.close();
  }
}

function isConnectionRefused(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ECONNREFUSED';
}

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'Run a SQL query against the warehouse and print the result',
  usage,
  run,
};
