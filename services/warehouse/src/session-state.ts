/**
 * SQL for keeping chDB's one session stateless between HTTP requests.
 *
 * NOTE: a ClickHouse server gives every HTTP request (without session_id) a fresh context, so URL
 * settings, `SET` and `USE` last for that one request. chDB has a single long-lived session in
 * which `SET` and `USE` stick, so every request's changes are undone before the next one runs.
 */

/** A SQL string literal (ClickHouse escapes backslash and quote with a backslash). */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A back-quoted identifier. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

export function setStatement(name: string, value: string): string {
  return `SET ${name} = ${quoteString(value)}`;
}

/**
 * Undoes settings: back to the engine's start value for the ones the session was started with
 * (`SET x = DEFAULT` would return those to the compiled default), to DEFAULT for the others.
 */
export function resetStatement(
  names: readonly string[],
  startValues: Readonly<Record<string, string>> = {},
): string {
  const reset = (name: string): string => {
    const start = Object.hasOwn(startValues, name) ? startValues[name] : undefined;
    return `${name} = ${start === undefined ? 'DEFAULT' : quoteString(start)}`;
  };
  return `SET ${names.map(reset).join(', ')}`;
}

const SET_QUERY = /^\s*SET\s+(?!(?:DEFAULT\s+)?ROLE\b)([\s\S]*?);?\s*$/i;
const USE_QUERY = /^\s*USE\s/i;

/** Whether a query switches the session's current database. */
export function isUseStatement(sql: string): boolean {
  return USE_QUERY.test(sql);
}

/**
 * The setting names a `SET a = 1, b = 'x,y'` statement assigns (empty when the query is not a SET),
 * so they can be reset afterwards. Commas inside quotes, brackets and parentheses do not split.
 */
export function setStatementNames(sql: string): string[] {
  const body = SET_QUERY.exec(sql)?.[1];
  if (body === undefined) return [];
  const names: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  const take = (end: number): void => {
    const name = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(body.slice(start, end))?.[1];
    if (name !== undefined) names.push(name);
  };
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (quote !== undefined) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"' || char === '`') quote = char;
    else if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') depth--;
    else if (char === ',' && depth === 0) {
      take(i);
      start = i + 1;
    }
  }
  take(body.length);
  return names;
}
