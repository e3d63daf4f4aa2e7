// The warehouse side of `cs rebuild`: the live facts database `<db>_facts` and the fresh one the
// replay fills, `<db>_rebuild_facts` (its views database `<db>_rebuild` only exists because the
// migrations create one), and the swap of their data tables.
import type { ClickHouseClient } from '@clickhouse/client';
import { CsError } from '@cs/runtime';

interface TableRow {
  name: string;
  engine: string;
}

/**
 * The tables that hold data: fact tables and materialized-view targets. Views (plain and
 * materialized) are not swapped: they name their tables, and after an exchange the names lead to
 * the other table (checked on chDB's Atomic engine: a materialized view whose source and target
 * were exchanged under it fills the new target from inserts into the new source). `migrations` is
 * bookkeeping of the live database and stays.
 */
export async function dataTables(client: ClickHouseClient, database: string): Promise<string[]> {
  const result = await client.query({
    query: `SELECT name, engine FROM system.tables WHERE database = {database: String}
            AND engine NOT IN ('View', 'MaterializedView') AND name != 'migrations'
            ORDER BY name`,
    query_params: { database },
    format: 'JSONEachRow',
  });
  return (await result.json<TableRow>()).map((row) => row.name);
}

async function migrationVersions(client: ClickHouseClient, database: string): Promise<string[]> {
  const result = await client.query({
    query: `SELECT toString(version) AS version FROM ${database}.migrations ORDER BY version`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ version: string }>()).map((row) => row.version);
}

/**
 * Refuses the swap unless both databases have the same migrations and data tables: a live
 * database behind the migration files must be migrated first (`cs migrate`), or its views would
 * read tables of another shape.
 */
export async function checkSwappable(
  client: ClickHouseClient,
  live: string,
  fresh: string,
): Promise<string[]> {
  const [liveVersions, freshVersions] = [
    await migrationVersions(client, live),
    await migrationVersions(client, fresh),
  ];
  if (liveVersions.join(',') !== freshVersions.join(',')) {
    throw new CsError(
      'REBUILD_SCHEMA_MISMATCH',
      `${live} has migrations [${liveVersions.join(', ')}] but the migration files give ` +
        `[${freshVersions.join(', ')}]: run cs migrate first`,
    );
  }
  const [liveTables, freshTables] = [
    await dataTables(client, live),
    await dataTables(client, fresh),
  ];
  const missing = freshTables.filter((table) => !liveTables.includes(table));
  const extra = liveTables.filter((table) => !freshTables.includes(table));
  if (missing.length > 0 || extra.length > 0) {
    throw new CsError(
      'REBUILD_SCHEMA_MISMATCH',
      `${live} and ${fresh} differ in data tables (only in ${fresh}: ${missing.join(', ') || 'none'}; ` +
        `only in ${live}: ${extra.join(', ') || 'none'})`,
    );
  }
  return freshTables;
}

/**
 * Exchanges each table of `live` with its namesake in `fresh`, one `EXCHANGE TABLES` per pair
 * (atomic per pair; ClickHouse runs a multi-pair EXCHANGE sequentially, not atomically, so one
 * statement would buy nothing). If a pair fails, the pairs already exchanged are exchanged back.
 */
export async function exchangeTables(
  client: ClickHouseClient,
  live: string,
  fresh: string,
  tables: readonly string[],
): Promise<void> {
  const done: string[] = [];
  for (const table of tables) {
    try {
      await client.command({ query: `EXCHANGE TABLES ${live}.${table} AND ${fresh}.${table}` });
      done.push(table);
    } catch (error: unknown) {
      await exchangeBack(client, live, fresh, done);
      throw new CsError(
        'REBUILD_SWAP_FAILED',
        `EXCHANGE TABLES ${live}.${table} AND ${fresh}.${table} failed; the ${done.length} ` +
          'tables exchanged before it were exchanged back',
        { cause: error },
      );
    }
  }
}

/** Undoes exchangeTables (exchanging again is its own inverse). */
export async function exchangeBack(
  client: ClickHouseClient,
  live: string,
  fresh: string,
  tables: readonly string[],
): Promise<void> {
  for (const table of [...tables].reverse()) {
    await client.command({ query: `EXCHANGE TABLES ${live}.${table} AND ${fresh}.${table}` });
  }
}

export async function dropDatabases(
  client: ClickHouseClient,
  databases: readonly string[],
): Promise<void> {
  for (const database of databases) {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  }
}
