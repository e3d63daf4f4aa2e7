import { cpSync, mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { testServices, uniqueName } from '@cs/infra/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { DEFAULT_MIGRATIONS_DIR, MigrationError, readMigrationFiles } from './migration-files.js';
import { silentLog } from './warehouse.test-support.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function freshDatabase(): string {
  const database = uniqueName('cs');
  cleanups.push(async () => {
    const client = createClient({
      url: testServices().clickhouseUrl,
      log: { level: ClickHouseLogLevel.OFF },
    });
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}_facts` });
    await client.close();
  });
  return database;
}

async function recorded(
  database: string,
): Promise<Array<{ version: number; name: string; checksum: string }>> {
  const client = createClient({ url: testServices().clickhouseUrl });
  try {
    const result = await client.query({
      query: `SELECT version, name, checksum FROM ${database}_facts.migrations ORDER BY version`,
      format: 'JSONEachRow',
    });
    return await result.json();
  } finally {
    await client.close();
  }
}

describe('migrate', () => {
  it('applies every migration in order and records each with its checksum', async () => {
    const database = freshDatabase();
    const files = readMigrationFiles();
    const applied = await migrate({ url: testServices().clickhouseUrl, database, log: silentLog });

    expect(applied.map((m) => m.name)).toEqual(files.map((f) => f.name));
    expect(await recorded(database)).toEqual(
      files.map((f) => ({ version: f.version, name: f.name, checksum: f.checksum })),
    );
    // The analyst database holds the views of CONTRACT §3 and nothing else.
    const client = createClient({ url: testServices().clickhouseUrl });
    const tables = await (
      await client.query({
        query: 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
        query_params: { db: database },
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    await client.close();
    expect(tables.map((t) => t.name)).toEqual(
      [
        'account_activity',
        'account_daily_activity',
        'account_daily_activity_rollup',
        'account_financials',
        'accounts',
        'daily_activity',
        'dead_letters',
        'feature_usage',
        'late_events',
        'module_usage',
        'monthly_activity',
        'mrr_monthly',
        'sessions',
        'ticket_age',
        'user_activity',
        'users',
      ].sort(),
    );
  });

  it('applies nothing on a second run', async () => {
    const database = freshDatabase();
    const url = testServices().clickhouseUrl;
    await migrate({ url, database, log: silentLog });
    const before = await recorded(database);

    expect(await migrate({ url, database, log: silentLog })).toEqual([]);
    expect(await recorded(database)).toEqual(before);
  });

  it('refuses a migration file changed after it was applied, naming the file', async () => {
    const database = freshDatabase();
    const url = testServices().clickhouseUrl;
    const dir = mkdtempSync(join(tmpdir(), 'cs-migrations-'));
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    });
    cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    await migrate({ url, database, dir, log: silentLog });

    appendFileSync(join(dir, '0002_aggregates.sql'), '\n-- edited after the fact\n');
    const error: unknown = await migrate({ url, database, dir, log: silentLog }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('MIGRATION_CHECKSUM_MISMATCH');
    expect((error as MigrationError).message).toContain('0002_aggregates.sql');
  });

  it('names the file and statement of a failing migration and leaves it unrecorded', async () => {
    const database = freshDatabase();
    const url = testServices().clickhouseUrl;
    const dir = mkdtempSync(join(tmpdir(), 'cs-migrations-'));
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    });
    cpSync(join(DEFAULT_MIGRATIONS_DIR, '0001_facts.sql'), join(dir, '0001_facts.sql'));
    appendFileSync(join(dir, '0002_broken.sql'), 'SELECT 1;\nCREATE TABLE {facts_db}.x (;\n');

    const error: unknown = await migrate({ url, database, dir, log: silentLog }).catch(
      (caught: unknown) => caught,
    );

    expect((error as MigrationError).code).toBe('MIGRATION_FAILED');
    expect((error as MigrationError).message).toContain('0002_broken.sql, statement 2 of 2');
    expect((await recorded(database)).map((m) => m.name)).toEqual(['0001_facts.sql']);
  });
});
