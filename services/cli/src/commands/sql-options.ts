import { UsageError, parseCommandArgs } from '../command.js';

/** Formats worth naming in help; any ClickHouse output format name is accepted. */
export const COMMON_FORMATS = [
  'PrettyCompact',
  'TSV',
  'TSVWithNames',
  'CSV',
  'CSVWithNames',
  'JSONEachRow',
  'JSON',
  'Vertical',
] as const;

export interface SqlOptions {
  /** The query text, or `stdin` when it is to be read from standard input (`-`). */
  query: { from: 'argument'; text: string } | { from: 'stdin' };
  format: string;
}

/** A readable table for a person at a terminal, tab-separated text for a pipe or a file. */
export function defaultFormat(stdoutIsTty: boolean): string {
  return stdoutIsTty ? 'PrettyCompact' : 'TSV';
}

export function parseSqlArgs(argv: readonly string[], stdoutIsTty: boolean): SqlOptions {
  const { values, positionals } = parseCommandArgs(
    argv,
    { format: { type: 'string', short: 'f' } },
    true,
  );
  if (positionals.length === 0) throw new UsageError('missing QUERY (or - to read it from stdin)');
  if (positionals.length > 1) {
    throw new UsageError(
      `expected one QUERY argument, got ${positionals.length}; quote the query as one argument`,
    );
  }
  const format = values.format ?? defaultFormat(stdoutIsTty);
  // A format name is spliced into the request; it must be an identifier, never arbitrary text.
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(format)) {
    throw new UsageError(
      `--format must be a ClickHouse format name (e.g. ${COMMON_FORMATS.join(', ')}), got '${format}'`,
    );
  }
  const [text = ''] = positionals;
  if (text === '-') return { query: { from: 'stdin' }, format };
  if (text.trim() === '') throw new UsageError('QUERY is empty');
  return { query: { from: 'argument', text }, format };
}

// A query that already names its FORMAT, or a statement that produces no result set, is sent
// as written; only result-producing statements get the chosen format appended.
const HAS_FORMAT = /\bFORMAT\s+[A-Za-z][A-Za-z0-9]*\s*;?\s*$/i;
const PRODUCES_ROWS = /^\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXPLAIN|EXISTS|\()/i;

/**
 * The statement to send: the query with a trailing `;` removed and, for a result-producing
 * statement without its own FORMAT clause, `FORMAT <format>` appended on a new line (so a
 * trailing `-- comment` cannot swallow it).
 */
export function statementWithFormat(query: string, format: string): string {
  const trimmed = query.trim().replace(/;\s*$/, '');
  if (HAS_FORMAT.test(trimmed) || !PRODUCES_ROWS.test(trimmed)) return trimmed;
  return `${trimmed}\nFORMAT ${format}`;
}
