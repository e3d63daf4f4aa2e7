import { MigrationError } from './migration-files.js';

/**
 * Where a replicated table keeps its metadata in ClickHouse Keeper / ZooKeeper. `{shard}`,
 * `{database}`, `{table}` and `{replica}` are server macros: `{shard}` and `{replica}` come from
 * each server's `<macros>`, `{database}` and `{table}` from the statement itself.
 */
export const REPLICATION_PATH = '/clickhouse/tables/{shard}/{database}/{table}';
export const REPLICA_NAME = '{replica}';

const CLUSTER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks a cluster name before it is ever spliced into DDL. */
export function validClusterName(cluster: string): string {
  if (!CLUSTER_NAME.test(cluster) || cluster.length > 200) {
    throw new MigrationError(
      'MIGRATION_BAD_CLUSTER',
      `cluster name '${cluster}' must match ${CLUSTER_NAME.source} (at most 200 characters)`,
    );
  }
  return cluster;
}

// A name as written in the migrations: `db.table`, `table`, or back-quoted parts.
const NAME = String.raw`(?:[A-Za-z_][A-Za-z0-9_]*|\x60[^\x60]*\x60)(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\x60[^\x60]*\x60))?`;

/**
 * Statement heads that take `ON CLUSTER` right after the object's name (ClickHouse grammar:
 * `CREATE … [IF NOT EXISTS] name [ON CLUSTER c] …`, `ALTER TABLE name [ON CLUSTER c] …`,
 * `DROP … [IF EXISTS] name [ON CLUSTER c] …`, `TRUNCATE TABLE [IF EXISTS] name [ON CLUSTER c]`).
 */
const HEADS: readonly RegExp[] = [
  new RegExp(
    String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:DATABASE|TABLE|VIEW|MATERIALIZED\s+VIEW|DICTIONARY)\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`,
    'i',
  ),
  new RegExp(String.raw`^ALTER\s+TABLE\s+${NAME}`, 'i'),
  new RegExp(
    String.raw`^DROP\s+(?:DATABASE|TABLE|VIEW|DICTIONARY)\s+(?:IF\s+EXISTS\s+)?${NAME}`,
    'i',
  ),
  new RegExp(String.raw`^TRUNCATE\s+(?:TABLE\s+)?(?:IF\s+EXISTS\s+)?${NAME}`, 'i'),
];

/** Statements that need no `ON CLUSTER`: data written to a replicated table reaches every replica. */
const DATA_STATEMENT = /^INSERT\s+INTO\s/i;

const ENGINE = /\bENGINE\s*=\s*(\w*)MergeTree\b/gi;

/**
 * Renders one migration statement for a ClickHouse cluster, or returns it unchanged (the very
 * same string) when `cluster` is undefined:
 *
 * - `ON CLUSTER <cluster>` after the object name of every CREATE / ALTER / DROP / TRUNCATE of a
 *   database, table, view or dictionary;
 * - every `<X>MergeTree[(args)]` engine becomes
 *   `Replicated<X>MergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}'[, args])`,
 *   keeping its own arguments (the version column of a ReplacingMergeTree, the sign of a
 *   CollapsingMergeTree, the columns of a SummingMergeTree) after the two replication arguments;
 * - `non_replicated_deduplication_window` becomes `replicated_deduplication_window` (same value:
 *   the sink's retried batches are still no-ops).
 *
 * Comments are dropped from a rendered statement (they are documentation of the source file, and
 * dropping them means nothing inside a comment is ever rewritten). String literals are never
 * rewritten either. A statement this cannot place `ON CLUSTER` in, or one already written for a
 * cluster, is refused with a MigrationError naming it: silently running DDL on one node of a
 * cluster would leave the others without the object.
 */
export function renderForCluster(statement: string, cluster: string | undefined): string {
  if (cluster === undefined) return statement;
  validClusterName(cluster);
  const { code, masked } = stripComments(statement);
  const preview = masked.trim().slice(0, 80).replace(/\s+/g, ' ');
  if (/\bON\s+CLUSTER\b/i.test(masked) || /\bReplicated\w*MergeTree\b/i.test(masked)) {
    throw new MigrationError(
      'MIGRATION_BAD_STATEMENT',
      `'${preview}…' is already written for a cluster; migrations are written for one server and rendered for a cluster`,
    );
  }
  const start = masked.length - masked.trimStart().length;
  const body = masked.slice(start);
  if (DATA_STATEMENT.test(body)) return code.trim();
  const head = HEADS.map((pattern) => pattern.exec(body)).find((match) => match !== null);
  if (head === undefined) {
    throw new MigrationError(
      'MIGRATION_BAD_STATEMENT',
      `'${preview}…' cannot be rendered for cluster '${cluster}': only CREATE, ALTER, DROP and ` +
        'TRUNCATE of databases, tables, views and dictionaries, and INSERT, are supported',
    );
  }
  const headEnd = start + head[0].length;
  const edits: Edit[] = [{ at: headEnd, remove: 0, insert: ` ON CLUSTER ${cluster}` }];
  for (const engine of masked.matchAll(ENGINE)) {
    edits.push(replicatedEngine(masked, code, engine));
  }
  if (edits.length > 1) {
    for (const setting of masked.matchAll(/\bnon_replicated_deduplication_window\b/g)) {
      edits.push({ at: setting.index, remove: 'non_'.length, insert: '' });
    }
  }
  return applyEdits(code, edits).trim();
}

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

function replicatedEngine(masked: string, code: string, engine: RegExpExecArray): Edit {
  const family = engine[1] ?? '';
  const nameStart = engine.index + engine[0].length - `${family}MergeTree`.length;
  let end = engine.index + engine[0].length;
  let args = '';
  const open = /^\s*\(/.exec(masked.slice(end));
  if (open !== null) {
    const openAt = end + open[0].length - 1;
    const closeAt = matchingParen(masked, openAt);
    args = code.slice(openAt + 1, closeAt).trim();
    end = closeAt + 1;
  }
  const replication = `'${REPLICATION_PATH}', '${REPLICA_NAME}'`;
  return {
    at: nameStart,
    remove: end - nameStart,
    insert: `Replicated${family}MergeTree(${args === '' ? replication : `${replication}, ${args}`})`,
  };
}

function matchingParen(masked: string, openAt: number): number {
  let depth = 0;
  for (let i = openAt; i < masked.length; i += 1) {
    if (masked[i] === '(') depth += 1;
    else if (masked[i] === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new MigrationError(
    'MIGRATION_BAD_STATEMENT',
    `unbalanced parentheses after the engine at '${masked.slice(openAt, openAt + 60)}'`,
  );
}

function applyEdits(code: string, edits: readonly Edit[]): string {
  let out = code;
  for (const edit of [...edits].sort((a, b) => b.at - a.at)) {
    out = out.slice(0, edit.at) + edit.insert + out.slice(edit.at + edit.remove);
  }
  return out;
}

/**
 * The statement without `--` and `/* … *\/` comments (`code`), and the same text with the inside
 * of every quoted string or identifier blanked (`masked`, same length), so that patterns matched
 * on `masked` only ever see SQL, and their positions hold in `code`.
 */
export function stripComments(statement: string): { code: string; masked: string } {
  let code = '';
  let masked = '';
  let i = 0;
  while (i < statement.length) {
    const char = statement[i] ?? '';
    const next = statement[i + 1] ?? '';
    if (char === '-' && next === '-') {
      while (i < statement.length && statement[i] !== '\n') i += 1;
    } else if (char === '/' && next === '*') {
      const close = statement.indexOf('*/', i + 2);
      i = close === -1 ? statement.length : close + 2;
      code += ' ';
      masked += ' ';
    } else if (char === "'" || char === '"' || char === '`') {
      let j = i + 1;
      while (j < statement.length) {
        if (statement[j] === '\\') j += 2;
        else if (statement[j] === char && statement[j + 1] === char) j += 2;
        else if (statement[j] === char) break;
        else j += 1;
      }
      const quoted = statement.slice(i, j + 1);
      code += quoted;
      masked +=
        char === '`' || quoted.length < 2
          ? quoted
          : char + ' '.repeat(quoted.length - 2) + quoted.slice(-1);
      i = j + 1;
    } else {
      code += char;
      masked += char;
      i += 1;
    }
  }
  return { code, masked };
}
