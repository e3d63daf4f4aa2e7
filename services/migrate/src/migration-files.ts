import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CsError } from '@cs/runtime';

export type MigrationErrorCode =
  | 'MIGRATION_BAD_CLUSTER'
  | 'MIGRATION_BAD_DATABASE'
  | 'MIGRATION_BAD_FILE'
  | 'MIGRATION_BAD_STATEMENT'
  | 'MIGRATION_CHECKSUM_MISMATCH'
  | 'MIGRATION_FAILED';

export class MigrationError extends CsError<MigrationErrorCode> {
  constructor(
    code: MigrationErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(code, message, options);
    this.name = 'MigrationError';
  }
}

/** One numbered SQL file of infra/clickhouse/, read but not yet bound to a database. */
export interface MigrationFile {
  version: number;
  /** The file name, e.g. `0001_facts.sql`. */
  name: string;
  /** sha256 of the file's bytes as written (before placeholders are substituted). */
  checksum: string;
  sql: string;
}

/** The migrations shipped with the repository (`infra/clickhouse/`, from src/ or dist/ alike). */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(
  new URL('../../../infra/clickhouse/', import.meta.url),
);

const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;
const DATABASE_NAME = /^[a-z_][a-z0-9_]*$/;

/** Reads every `NNNN_name.sql` in `dir`, in version order; a repeated version is an error. */
export function readMigrationFiles(dir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(name);
    if (match?.[1] === undefined) {
      throw new MigrationError(
        'MIGRATION_BAD_FILE',
        `${name}: a migration file is named NNNN_lower_snake.sql`,
      );
    }
    const version = Number(match[1]);
    const previous = files.at(-1);
    if (previous?.version === version) {
      throw new MigrationError(
        'MIGRATION_BAD_FILE',
        `${name}: version ${version} is also used by ${previous.name}`,
      );
    }
    const bytes = readFileSync(join(dir, name));
    const checksum = createHash('sha256').update(bytes).digest('hex');
    files.push({ version, name, checksum, sql: bytes.toString('utf8') });
  }
  return files;
}

/** The databases one migration target consists of. */
export interface TargetDatabases {
  /** The analyst surface: the `cs.*` views of CONTRACT §3 and nothing else. */
  views: string;
  /** Fact tables (what the sink inserts), materialized-view targets and the migrations table. */
  facts: string;
}

/** `cs` → views in `cs`, facts in `cs_facts`. The name is checked before it is ever spliced. */
export function targetDatabases(database: string): TargetDatabases {
  if (!DATABASE_NAME.test(database) || database.length > 200) {
    throw new MigrationError(
      'MIGRATION_BAD_DATABASE',
      `database name '${database}' must match ${DATABASE_NAME.source} (at most 200 characters)`,
    );
  }
  return { views: database, facts: `${database}_facts` };
}

/**
 * The statements of one migration, with `{db}` and `{facts_db}` replaced by the target's (already
 * validated) database names. Statements end with `;` at the end of a line; a chunk that holds only
 * comments and blank lines is dropped.
 *
 * NOTE: `{db}` / `{facts_db}` cannot collide with ClickHouse query parameters: those always carry a
 * type (`{tenant:String}`), and the parameterised views in the migrations keep theirs verbatim.
 */
export function migrationStatements(sql: string, target: TargetDatabases): string[] {
  const bound = sql.replaceAll('{facts_db}', target.facts).replaceAll('{db}', target.views);
  return bound
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.split('\n').some((line) => isCode(line)));
}

function isCode(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== '' && !trimmed.startsWith('--');
}
