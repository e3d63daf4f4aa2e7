import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import { CsError } from '@cs/runtime';

/** The process surface a command may touch, injectable so commands run in-process in tests. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable;
  env: Record<string, string | undefined>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** One `cs` subcommand. `run` resolves to the process exit code. */
export interface Command {
  name: string;
  /** One line for `cs help`. */
  summary: string;
  /** The full text for `cs <name> --help`. */
  usage: string;
  run(argv: readonly string[], io?: CliIo): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad command-line input: the dispatcher prints it with a pointer to --help and exits 2. */
export class UsageError extends CsError<'USAGE'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('USAGE', message, options);
    this.name = 'UsageError';
  }
}

/**
 * `parseArgs` in strict mode, with its errors (unknown flag, missing value, stray positional)
 * turned into a UsageError that keeps node's message, which already names the offending flag.
 */
export function parseCommandArgs<const Options extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: Options,
  allowPositionals: boolean,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: Options; allowPositionals: boolean; strict: true }>
> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (error: unknown) {
    if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  }
}

/** A non-negative integer flag value, or a UsageError naming the flag. */
export function integerFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  min = 0,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${raw}'`);
  }
  return value;
}

/** A fraction flag value in [0, 1), or a UsageError naming the flag. */
export function fractionFlag(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new UsageError(`--${name} must be a number in [0, 1), got '${raw}'`);
  }
  return value;
}
