import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderForCluster, stripComments } from './cluster.js';
import { bookkeepingStatements } from './migrate.js';
import { MigrationError, migrationStatements, readMigrationFiles } from './migration-files.js';

const target = { views: 'cs', facts: 'cs_facts' };
const PATH = `'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'`;

const shipped = readMigrationFiles().flatMap((file) =>
  migrationStatements(file.sql, target).map((sql) => ({ file: file.name, sql })),
);
const bookkeeping = bookkeepingStatements(target).map((sql) => ({ file: 'bookkeeping', sql }));
const all = [...bookkeeping, ...shipped];

/** Every statement without comments and with whitespace runs collapsed, to compare shapes. */
const squash = (sql: string): string =>
  sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();

// Written out by hand from 0001, 0002, 0008 and the bookkeeping table: each table's engine as it
// must come out for a cluster (the engine's own arguments after the two replication arguments).
const EXPECTED_ENGINES: Record<string, string> = {
  'cs_facts.migrations': `ReplicatedMergeTree(${PATH})`,
  'cs_facts.usage_events': `ReplicatedMergeTree(${PATH})`,
  'cs_facts.time_slices': `ReplicatedMergeTree(${PATH})`,
  'cs_facts.sessions': `ReplicatedMergeTree(${PATH})`,
  'cs_facts.accounts': `ReplicatedReplacingMergeTree(${PATH}, ts)`,
  'cs_facts.users': `ReplicatedReplacingMergeTree(${PATH}, ts)`,
  'cs_facts.account_hierarchy': `ReplicatedReplacingMergeTree(${PATH}, ts)`,
  'cs_facts.mrr_movements': `ReplicatedMergeTree(${PATH})`,
  'cs_facts.account_mrr': `ReplicatedMergeTree(${PATH})`,
  'cs_facts.invoices': `ReplicatedReplacingMergeTree(${PATH}, ts)`,
  'cs_facts.tickets': `ReplicatedReplacingMergeTree(${PATH}, ts)`,
  'cs_facts.dead_letters': `ReplicatedMergeTree(${PATH})`,
  'cs_facts.activity_daily': `ReplicatedAggregatingMergeTree(${PATH})`,
  'cs_facts.activity_window_30d': `ReplicatedAggregatingMergeTree(${PATH})`,
  'cs_facts.account_activity_daily': `ReplicatedAggregatingMergeTree(${PATH})`,
  'cs_facts.user_seen': `ReplicatedAggregatingMergeTree(${PATH})`,
  'cs_facts.user_records_first': `ReplicatedAggregatingMergeTree(${PATH})`,
  'cs_facts.time_daily': `ReplicatedSummingMergeTree(${PATH})`,
  'cs_facts.sessions_daily': `ReplicatedSummingMergeTree(${PATH})`,
  'cs_facts.module_daily': `ReplicatedAggregatingMergeTree(${PATH})`,
  'cs_facts.feature_daily': `ReplicatedAggregatingMergeTree(${PATH})`,
  'cs_facts.late_events': `ReplicatedMergeTree(${PATH})`,
};

describe('renderForCluster without a cluster (the default)', () => {
  it('returns every shipped and bookkeeping statement unchanged, the very same string', () => {
    for (const { file, sql } of all) expect(renderForCluster(sql, undefined), file).toBe(sql);
  });

  it('renders 0001–0008 byte for byte as before the cluster setting existed', () => {
    // sha256 of the statements of 0001–0008, each followed by "\n;\n", taken before this module
    // was written: the single-server DDL must never change under an applied migration.
    const hash = createHash('sha256');
    for (const file of readMigrationFiles().filter((f) => f.version <= 8)) {
      for (const sql of migrationStatements(file.sql, target)) {
        hash.update(renderForCluster(sql, undefined) + '\n;\n');
      }
    }
    expect(hash.digest('hex')).toBe(
      'ddbeab8ec4459b949c4c44054d259dfec136301f3da40aa98a3e155da47da5df',
    );
  });
});

describe('renderForCluster over every shipped migration and the migrations table', () => {
  const rendered = all.map(({ file, sql }) => ({
    file,
    sql,
    out: renderForCluster(sql, 'prod'),
  }));

  it('puts ON CLUSTER prod right after the object name of every statement, exactly once', () => {
    const head =
      /^(CREATE (DATABASE|TABLE|VIEW|MATERIALIZED VIEW) IF NOT EXISTS|CREATE OR REPLACE VIEW|ALTER TABLE) [a-z_]+(\.[a-z_0-9]+)? ON CLUSTER prod\b/;
    for (const { file, out } of rendered) {
      expect(out, file).toMatch(head);
      expect(out.match(/ON CLUSTER/g), file).toHaveLength(1);
    }
    expect(rendered.length).toBeGreaterThan(40);
  });

  it('gives each table the replicated engine of its family, with its own arguments after the replication ones', () => {
    const seen: Record<string, string> = {};
    for (const { file, out } of rendered) {
      const table = /^CREATE TABLE IF NOT EXISTS (\S+) ON CLUSTER prod/.exec(out)?.[1];
      if (table === undefined) {
        expect(out, file).not.toMatch(/ENGINE/);
        continue;
      }
      const engine = /ENGINE = (.+?\))(?=\s+(PARTITION BY|ORDER BY))/s.exec(out)?.[1];
      seen[table] = engine ?? `(no engine found in ${file})`;
    }
    expect(seen).toEqual(EXPECTED_ENGINES);
  });

  it('keeps the deduplication window, as the replicated setting, on every migration table', () => {
    const tables = rendered.filter(
      ({ file, out }) => file !== 'bookkeeping' && out.includes('ENGINE'),
    );
    expect(tables).toHaveLength(Object.keys(EXPECTED_ENGINES).length - 1);
    for (const { file, out } of tables) {
      expect(out, file).toMatch(/SETTINGS replicated_deduplication_window = 1000$/);
      expect(out, file).not.toContain('non_replicated');
    }
  });

  it('changes nothing else: undoing the three edits gives the statement without its comments', () => {
    for (const { file, sql, out } of rendered) {
      const undone = out
        .replace(' ON CLUSTER prod', '')
        .replace(
          /Replicated(\w*)MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'(?:, )?/,
          '$1MergeTree(',
        )
        .replace(/MergeTree\(\)/, 'MergeTree')
        .replace('replicated_deduplication_window', 'non_replicated_deduplication_window');
      expect(squash(undone), file).toBe(squash(sql));
    }
  });

  it('keeps parameterised views verbatim ({tenant:String} and friends)', () => {
    const moduleUsage = rendered.find(({ out }) =>
      out.startsWith('CREATE VIEW IF NOT EXISTS cs.module_usage'),
    );
    expect(moduleUsage?.out).toContain(
      'WHERE tenant = {tenant:String} AND day BETWEEN {date_from:Date} AND {date_to:Date}',
    );
  });
});

describe('renderForCluster on other statements', () => {
  it.each([
    [
      'CREATE TABLE t (a UInt8, sign Int8) ENGINE = CollapsingMergeTree(sign) ORDER BY a',
      `CREATE TABLE t ON CLUSTER c (a UInt8, sign Int8) ENGINE = ReplicatedCollapsingMergeTree(${PATH}, sign) ORDER BY a`,
    ],
    [
      'CREATE TABLE db.t (a UInt8, b UInt64, c UInt64) ENGINE = SummingMergeTree((b, c)) ORDER BY a',
      `CREATE TABLE db.t ON CLUSTER c (a UInt8, b UInt64, c UInt64) ENGINE = ReplicatedSummingMergeTree(${PATH}, (b, c)) ORDER BY a`,
    ],
    [
      'CREATE TABLE t (a UInt8) ENGINE = VersionedCollapsingMergeTree( sign , version ) ORDER BY a',
      `CREATE TABLE t ON CLUSTER c (a UInt8) ENGINE = ReplicatedVersionedCollapsingMergeTree(${PATH}, sign , version) ORDER BY a`,
    ],
    [
      'CREATE TABLE t (a UInt8) ENGINE = MergeTree() ORDER BY a',
      `CREATE TABLE t ON CLUSTER c (a UInt8) ENGINE = ReplicatedMergeTree(${PATH}) ORDER BY a`,
    ],
    [
      'CREATE MATERIALIZED VIEW db.mv ENGINE = SummingMergeTree ORDER BY a AS SELECT a, count() AS n FROM db.t GROUP BY a',
      `CREATE MATERIALIZED VIEW db.mv ON CLUSTER c ENGINE = ReplicatedSummingMergeTree(${PATH}) ORDER BY a AS SELECT a, count() AS n FROM db.t GROUP BY a`,
    ],
    ['DROP TABLE IF EXISTS db.t', 'DROP TABLE IF EXISTS db.t ON CLUSTER c'],
    ['DROP VIEW db.v SYNC', 'DROP VIEW db.v ON CLUSTER c SYNC'],
    ['DROP DATABASE IF EXISTS db', 'DROP DATABASE IF EXISTS db ON CLUSTER c'],
    [
      'ALTER TABLE db.t DROP COLUMN IF EXISTS x',
      'ALTER TABLE db.t ON CLUSTER c DROP COLUMN IF EXISTS x',
    ],
    ['TRUNCATE TABLE IF EXISTS db.t', 'TRUNCATE TABLE IF EXISTS db.t ON CLUSTER c'],
    ['CREATE DATABASE IF NOT EXISTS `my db`', 'CREATE DATABASE IF NOT EXISTS `my db` ON CLUSTER c'],
    // Data reaches every replica through replication: no ON CLUSTER.
    ["INSERT INTO db.t VALUES ('ON CLUSTER x')", "INSERT INTO db.t VALUES ('ON CLUSTER x')"],
  ])('%s', (sql, expected) => {
    expect(renderForCluster(sql, 'c')).toBe(expected);
  });

  it('never rewrites comments or string literals', () => {
    const sql = [
      '-- ENGINE = MergeTree in a comment; ON CLUSTER too',
      "CREATE VIEW db.v AS SELECT 'ENGINE = MergeTree' AS s, 'non_replicated_deduplication_window' AS t /* ENGINE = MergeTree */",
    ].join('\n');
    expect(renderForCluster(sql, 'c')).toBe(
      "CREATE VIEW db.v ON CLUSTER c AS SELECT 'ENGINE = MergeTree' AS s, 'non_replicated_deduplication_window' AS t",
    );
  });

  it('refuses a statement already written for a cluster, naming it', () => {
    expect(() =>
      renderForCluster('CREATE TABLE t ON CLUSTER x (a UInt8) ENGINE = MergeTree ORDER BY a', 'c'),
    ).toThrow(/'CREATE TABLE t ON CLUSTER x .*already written for a cluster/);
    expect(() =>
      renderForCluster(
        `CREATE TABLE t (a UInt8) ENGINE = ReplicatedMergeTree(${PATH}) ORDER BY a`,
        'c',
      ),
    ).toThrow(MigrationError);
  });

  it('refuses what it cannot place ON CLUSTER in, naming the statement', () => {
    expect(() => renderForCluster('SYSTEM FLUSH LOGS', 'c')).toThrow(
      /'SYSTEM FLUSH LOGS…' cannot be rendered for cluster 'c'/,
    );
  });

  it.each(['', 'a b', 'x;DROP', "c'"])('refuses the cluster name %j', (cluster) => {
    expect(() => renderForCluster('CREATE DATABASE db', cluster)).toThrow(/cluster name/);
  });
});

describe('stripComments', () => {
  it('drops comments and masks quoted text at the same positions', () => {
    const { code, masked } = stripComments(
      "SELECT 'a--b', \"x\" -- note\nFROM t /* c */ WHERE s = 'it''s'",
    );
    expect(code).toBe("SELECT 'a--b', \"x\" \nFROM t   WHERE s = 'it''s'");
    expect(masked).toBe("SELECT '    ', \" \" \nFROM t   WHERE s = '     '");
    expect(masked).toHaveLength(code.length);
  });
});

describe('the shipped migrations use no chDB-only syntax', () => {
  const code = shipped.map(({ file, sql }) => ({ file, sql: stripComments(sql).masked }));

  it('create only MergeTree-family tables (replicable) and plain or materialized views', () => {
    for (const { file, sql } of code) {
      for (const engine of sql.matchAll(/ENGINE\s*=\s*(\w+)/g)) {
        expect(engine[1], file).toMatch(/^(Replacing|Aggregating|Summing|Collapsing)?MergeTree$/);
      }
    }
  });

  it('read no local files, URLs, Python objects or other table functions of an embedded engine', () => {
    for (const { file, sql } of code) {
      expect(sql, file).not.toMatch(
        /\b(file|url|python|Python|s3|hdfs|input|format|table|numbers|executable)\s*\(/,
      );
      expect(sql, file).not.toMatch(/\bENGINE\s*=\s*(File|Memory|Log|TinyLog|StripeLog|Python)\b/);
    }
  });

  it('are written for one server (the cluster rendering adds ON CLUSTER and replication)', () => {
    for (const { file, sql } of code) {
      expect(sql, file).not.toMatch(/ON CLUSTER|Replicated|\{uuid\}|\{replica\}/);
    }
  });
});
