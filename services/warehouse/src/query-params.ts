/**
 * Query parameters (`param_<name>` in the URL) converted for chDB's `queryBindAsync`.
 *
 * NOTE: over HTTP a parameter value is text in ClickHouse's *escaped* format (`it\'s`, `a\tb`,
 * `['x','it\'s']`, `\N`). chDB's binder instead takes a JS string and escapes it itself
 * (backslash, NUL, \b \f \n \r \t) before handing it to the engine. Passing the HTTP text through
 * unchanged would escape it twice, so each value is first mapped to the string whose chDB-escaped
 * form reads back as the original:
 * - for String-like placeholders the value is fully unescaped (exact);
 * - for every other type (numbers, dates, arrays, maps, tuples) the escapes chDB can regenerate are
 *   undone, and `\'` inside quoted literals becomes the SQL-style `''`, which the engine's quoted
 *   reader accepts too. Other escapes (`\xHH`, `\a`, `\v`) inside composite values are not
 *   representable through chDB's binder and reach the engine with a doubled backslash.
 */

/** The value chDB binds as NULL (it formats a JS null as `\N`). */
export type BoundValue = string | null;

const PLACEHOLDER = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{}]+?)\s*\}/g;
const WRAPPER = /^(?:Nullable|LowCardinality)\((.*)\)$/s;
const STRING_LIKE = /^(?:String|FixedString\(|Identifier$|Enum(?:8|16)?\()/;

/** The declared type of each `{name:Type}` placeholder in a query. */
export function placeholderTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of sql.matchAll(PLACEHOLDER)) {
    const [, name, type] = match;
    if (name !== undefined && type !== undefined && !types.has(name)) types.set(name, type.trim());
  }
  return types;
}

/** Whether a placeholder type reads its parameter as one plain string. */
export function isStringLikeType(type: string): boolean {
  let inner = type.trim();
  for (
    let wrapped = WRAPPER.exec(inner);
    wrapped?.[1] !== undefined;
    wrapped = WRAPPER.exec(inner)
  ) {
    inner = wrapped[1].trim();
  }
  return STRING_LIKE.test(inner);
}

const FULL_UNESCAPE: Record<string, string> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  '0': '\0',
  a: '\x07',
  v: '\v',
};

/** ClickHouse's escaped-format string reader: `\n` → newline, `\xHH` → char, `\c` → c. */
export function unescapeEscapedString(text: string): string {
  return text.replace(/\\(x[0-9A-Fa-f]{2}|[\s\S])/g, (_match, escape: string) => {
    if (escape.length === 3) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return FULL_UNESCAPE[escape] ?? escape;
  });
}

// Exactly the escapes chDB's binder emits, undone; `\'` rewritten as `''` (see the file comment).
const CHDB_REGENERATED: Record<string, string> = {
  '\\': '\\',
  '0': '\0',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  "'": "''",
};

/** Maps composite/scalar parameter text so chDB's own escaping turns it back into the original. */
export function preEscapeForChdb(text: string): string {
  return text.replace(/\\([\s\S])/g, (match, escape: string) => CHDB_REGENERATED[escape] ?? match);
}

/** Converts the raw HTTP parameter values of a query into what chDB's binder should be given. */
export function bindParams(
  sql: string,
  raw: Readonly<Record<string, string>>,
): Record<string, BoundValue> {
  const types = placeholderTypes(sql);
  const bound: Record<string, BoundValue> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === '\\N') {
      bound[name] = null;
      continue;
    }
    const type = types.get(name);
    bound[name] =
      type === undefined || isStringLikeType(type)
        ? unescapeEscapedString(value)
        : preEscapeForChdb(value);
  }
  return bound;
}
