import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createLogger, errorMessage, type Logger } from '@cs/runtime';
import { renderForCluster, validClusterName } from './cluster.js';
import {
  DEFAULT_MIGRATIONS_DIR,
  MigrationError,
  migrationStatements,
  readMigrationFiles,
  targetDatabases,
  type MigrationFile,
  type TargetDatabases,
} from './migration-files.js';

export interface MigrateOptions {
  /** ClickHouse HTTP endpoint (embedded warehouse or server). */
  url: string;
  /** The analyst database; facts go to `<database>_facts`. Default `cs`. */
  database?: string;
  username?: string;
  password?: string;
  /** Where the numbered SQL files are; default infra/clickhouse/. */
  dir?: string;
  /**
   * A ClickHouse cluster (a name from the server's `remote_servers`) to render every statement for:
   * `ON CLUSTER <name>` and Replicated*MergeTree engines (see renderForCluster). Unset: the DDL
   * for one server, exactly as written in the files.
   */
  cluster?: string;
  log?: Logger;
}

/** A migration this run applied. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

interface RecordedMigration {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Brings the target up to date: creates its databases and the migrations table, then applies each
 * pending file in version order, statement by statement, and records it. A second run applies
 * nothing. A file whose bytes changed after it was applied is refused, naming the file: applied
 * migrations are history, a change is a new file.
 *
 * NOTE: ClickHouse DDL is not transactional. A file is recorded only after all of its statements
 * ran, so a file that failed half way runs again from the top next time; every statement is
 * therefore written to be repeatable (`IF NOT EXISTS`).
 */
export async function migrate(options: MigrateOptions): Promise<AppliedMigration[]> {
  const target = targetDatabases(options.database ?? 'cs');
  const log = options.log ?? createLogger({ component: 'migrate' });
  const files = readMigrationFiles(options.dir ?? DEFAULT_MIGRATIONS_DIR);
  const cluster = options.cluster === undefined ? undefined : validClusterName(options.cluster);
  const client = createClient({
    url: options.url,
    username: options.username ?? 'default',
    password: options.password ?? '',
    // Failures are rethrown with the file and statement named; the client's own log would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
  });
  try {
    await applyBookkeeping(client, target, cluster);
    const recorded = await recordedMigrations(client, target);
    refuseChangedFiles(files, recorded);
    const pending = files.filter((file) => !recorded.has(file.version));
    const applied: AppliedMigration[] = [];
    for (const file of pending) {
      await applyFile(client, target, file, cluster);
      applied.push({ version: file.version, name: file.name, checksum: file.checksum });
      log.info('migration applied', { database: target.views, migration: file.name });
    }
    if (applied.length === 0) log.info('migrations up to date', { database: target.views });
    return applied;
  } finally {
    await client.close();
  }
}

async function applyBookkeeping(
  client: ClickHouseClient,
  target: TargetDatabases,
  cluster: string | undefined,
): Promise<void> {
  const statements = bookkeepingStatements(target);
  for (const [index, statement] of statements.entries()) {
    try {
      await client.command({ query: renderForCluster(statement, cluster) });
    } catch (error: unknown) {
      if (error instanceof MigrationError) throw error;
      throw new MigrationError(
        'MIGRATION_FAILED',
        `databases and migrations table${cluster === undefined ? '' : ` on cluster ${cluster}`}, ` +
          `statement ${index + 1} of ${statements.length}: ${errorMessage(error).trim()}`,
        { cause: error },
      );
    }
  }
}

/** The target's databases and its migrations table, for one server (render for a cluster). */
export function bookkeepingStatements(target: TargetDatabases): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${target.views}`,
    `CREATE DATABASE IF NOT EXISTS ${target.facts}`,
    `CREATE TABLE IF NOT EXISTS ${target.facts}.migrations (
      version UInt32,
      name String,
      checksum String,
      applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY version`,
  ];
}

async function recordedMigrations(
  client: ClickHouseClient,
  target: TargetDatabases,
): Promise<Map<number, RecordedMigration>> {
  const result = await client.query({
    query: `SELECT version, name, checksum FROM ${target.facts}.migrations ORDER BY version`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<RecordedMigration>();
  return new Map(rows.map((row) => [row.version, row]));
}

function refuseChangedFiles(
  files: readonly MigrationFile[],
  recorded: ReadonlyMap<number, RecordedMigration>,
): void {
  for (const file of files) {
    const done = recorded.get(file.version);
    if (done !== undefined && done.checksum !== file.checksum) {
      throw new MigrationError(
        'MIGRATION_CHECKSUM_MISMATCH',
        `${file.name} was changed after it was applied as ${done.name} ` +
          `(checksum ${done.checksum.slice(0, 12)}…, now ${file.checksum.slice(0, 12)}…); ` +
          'put the change in a new migration file',
      );
    }
  }
}

async function applyFile(
  client: ClickHouseClient,
  target: TargetDatabases,
  file: MigrationFile,
  cluster: string | undefined,
): Promise<void> {
  const statements = migrationStatements(file.sql, target).map((statement) =>
    renderForCluster(statement, cluster),
  );
  for (const [index, statement] of statements.entries()) {
    try {
      await client.command({ query: statement });
    } catch (error: unknown) {
      throw new MigrationError(
        'MIGRATION_FAILED',
        `${file.name}, statement ${index + 1} of ${statements.length}: ${errorMessage(error).trim()}`,
        { cause: error },
      );
    }
  }
  await client.insert({
    table: `${target.facts}.migrations`,
    values: [{ version: file.version, name: file.name, checksum: file.checksum }],
    format: 'JSONEachRow',
  });
}
