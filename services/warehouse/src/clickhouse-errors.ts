/**
 * ClickHouse-shaped errors for the HTTP interface: the exception code, its name, the HTTP status a
 * ClickHouse server would answer with, and the `Code: N. DB::Exception: … (NAME) (version V)`
 * body @clickhouse/client parses into a typed `ClickHouseError`.
 */

/** An error to answer with, in ClickHouse's terms. */
export interface ClickHouseErrorReply {
  /** ClickHouse exception code, e.g. 60. */
  code: number;
  /** ClickHouse exception name, e.g. `UNKNOWN_TABLE`. */
  name: string;
  /** The text after `DB::Exception: `, without the `(NAME)` suffix. */
  message: string;
}

/** The codes this service raises itself, with ClickHouse's names for them. */
export const ERROR_CODES = {
  BAD_ARGUMENTS: 36,
  QUERY_IS_TOO_LARGE: 229,
  CANNOT_DECOMPRESS: 271,
  UNKNOWN_EXCEPTION: 1002,
} as const;

// NOTE: transcribed from ClickHouse's src/Server/HTTP/exceptionCodeToHTTPStatus.cpp (codes checked
// with `errorCodeToName` on the bundled 26.7 engine). Everything not listed is a 500, as there.
const STATUS_BY_CODE = new Map<number, number>([
  // 401: REQUIRED_PASSWORD
  [194, 401],
  // 403: UNKNOWN_USER, WRONG_PASSWORD, AUTHENTICATION_FAILED, SET_NON_GRANTED_ROLE, ACCESS_DENIED
  ...[192, 193, 516, 512, 497].map((code): [number, number] => [code, 403]),
  // 400: bad arguments, parse failures, AST problems, syntax, incorrect data, type mismatch
  ...[
    36, 427, 6, 25, 26, 38, 41, 72, 441, 675, 676, 27, 376, 15, 44, 37, 123, 8, 167, 168, 223, 62,
    117, 53, 321,
  ].map((code): [number, number] => [code, 400]),
  // 404: UNKNOWN_TABLE, _FUNCTION, _IDENTIFIER, _TYPE, _STORAGE, _DATABASE, _SETTING,
  // _DIRECTION_OF_SORTING, _AGGREGATE_FUNCTION, _FORMAT, _DATABASE_ENGINE, _TYPE_OF_QUERY, _ROLE
  ...[60, 46, 47, 50, 56, 81, 115, 152, 63, 73, 336, 78, 511].map((code): [number, number] => [
    code,
    404,
  ]),
  [229, 413], // QUERY_IS_TOO_LARGE
  [48, 501], // NOT_IMPLEMENTED
  [209, 503], // SOCKET_TIMEOUT
  [76, 503], // CANNOT_OPEN_FILE
  [381, 411], // HTTP_LENGTH_REQUIRED
  [159, 408], // TIMEOUT_EXCEEDED
  [439, 503], // CANNOT_SCHEDULE_TASK
  [779, 415], // UNSUPPORTED_MEDIA_TYPE
]);

/** The HTTP status a ClickHouse server answers an exception code with. */
export function httpStatusForCode(code: number): number {
  return STATUS_BY_CODE.get(code) ?? 500;
}

const CODE_PREFIX = /^(?:Code: (\d+)\. DB::Exception: )+/;
// chDB sometimes wraps an exception in itself: `…. (NAME) (version 26.7.2.1). (NAME)`.
const REPEATED_SUFFIX = /(?:\s*\(version [^)]*\)\.?\s*\([A-Z][A-Z0-9_]*\))+\s*$/;
const NAME_SUFFIX = /\s*\(([A-Z][A-Z0-9_]*)\)\s*$/;

/**
 * Turns whatever chDB threw into a reply. chDB errors carry `clickhouseCode` and a message that
 * already reads `Code: N. DB::Exception: … (NAME)`; anything else becomes UNKNOWN_EXCEPTION.
 */
export function toClickHouseError(error: unknown): ClickHouseErrorReply {
  const raw = error instanceof Error ? error.message : String(error);
  const typedCode =
    error instanceof Error && 'clickhouseCode' in error && typeof error.clickhouseCode === 'number'
      ? error.clickhouseCode
      : undefined;
  const prefix = CODE_PREFIX.exec(raw);
  const parsedCode = prefix?.[1] === undefined ? undefined : Number(prefix[1]);
  const code = typedCode ?? parsedCode ?? ERROR_CODES.UNKNOWN_EXCEPTION;
  let message = raw.replace(CODE_PREFIX, '').replace(REPEATED_SUFFIX, '');
  const suffix = NAME_SUFFIX.exec(message);
  if (suffix) message = message.slice(0, suffix.index);
  return { code, name: suffix?.[1] ?? 'UNKNOWN_EXCEPTION', message };
}

/** The response body a ClickHouse server sends for an exception. */
export function formatErrorBody(reply: ClickHouseErrorReply, version: string): string {
  const message = reply.message.endsWith('.') ? reply.message : `${reply.message}.`;
  return `Code: ${reply.code}. DB::Exception: ${message} (${reply.name}) (version ${version})\n`;
}
