/**
 * An error with a closed `code` the caller can switch on, a `retriable` flag and the underlying
 * `cause`. Every module defines its own code union and uses this class (or a subclass).
 */
export class CsError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retriable: boolean;

  constructor(code: Code, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CsError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** The message of anything thrown, for logs and error bodies. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
