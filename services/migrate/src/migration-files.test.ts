import { describe, expect, it } from 'vitest';
import {
  MigrationError,
  migrationStatements,
  readMigrationFiles,
  targetDatabases,
} from './migration-files.js';

describe('targetDatabases', () => {
  it('puts the views in the named database and the facts beside it', () => {
    expect(targetDatabases('cs')).toEqual({ views: 'cs', facts: 'cs_facts' });
  });

  it.each(['CS', 'cs-prod', '1cs', 'cs; DROP DATABASE x', ''])('refuses %j', (name) => {
    expect(() => targetDatabases(name)).toThrow(MigrationError);
  });
});

describe('migrationStatements', () => {
  const target = { views: 'cs', facts: 'cs_facts' };

  it('splits at ; at line end, substitutes both placeholders and drops comment-only chunks', () => {
    const sql = [
      '-- header',
      'CREATE TABLE {facts_db}.t (a String) ENGINE = MergeTree ORDER BY a;',
      '',
      '-- a view',
      "CREATE VIEW {db}.v AS SELECT a FROM {facts_db}.t WHERE a = {tenant:String} AND a != ';';",
      '-- trailing note',
      '',
    ].join('\n');

    expect(migrationStatements(sql, target)).toEqual([
      '-- header\nCREATE TABLE cs_facts.t (a String) ENGINE = MergeTree ORDER BY a',
      "-- a view\nCREATE VIEW cs.v AS SELECT a FROM cs_facts.t WHERE a = {tenant:String} AND a != ';'",
    ]);
  });
});

describe('the shipped migrations', () => {
  const files = readMigrationFiles();
  const statements = files.flatMap((file) =>
    migrationStatements(file.sql, { views: 'cs', facts: 'cs_facts' }).map((sql) => ({
      file: file.name,
      sql,
    })),
  );

  it('are numbered 1, 2, 3, … without gaps', () => {
    expect(files.map((f) => f.version)).toEqual(files.map((_, index) => index + 1));
  });

  it('are repeatable: every statement creates IF NOT EXISTS, adds a column IF NOT EXISTS or replaces a view', () => {
    for (const { file, sql } of statements) {
      const code = sql.replace(/^--.*$/gm, '').trim();
      expect(code, file).toMatch(
        /^(CREATE (TABLE|VIEW|MATERIALIZED VIEW) IF NOT EXISTS |ALTER TABLE \S+ ADD COLUMN IF NOT EXISTS |CREATE OR REPLACE VIEW )/,
      );
    }
  });

  it('give every MergeTree table a deduplication window, so retried sink batches are no-ops', () => {
    const tables = statements.filter(({ sql }) => /ENGINE = \w*MergeTree/.test(sql));
    expect(tables.length).toBeGreaterThan(10);
    for (const { file, sql } of tables) {
      expect(sql, file).toContain('non_replicated_deduplication_window = 1000');
    }
  });
});
