import { errorMessage } from '@cs/runtime';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './command.js';
import type { CliIo, Command } from './command.js';

const HELP_FLAGS = new Set(['--help', '-h']);

/** The `cs help` text: every registered command with its one-line summary. */
export function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length), 4);
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'Usage: cs <command> [args]',
    '',
    'Commands:',
    ...lines,
    `  ${'help'.padEnd(width)}  Show this list, or a command's usage: cs help <command>`,
    '',
    "Run 'cs <command> --help' for a command's flags.",
    '',
  ].join('\n');
}

/** True when the command's own args ask for help (before any `--` terminator). */
function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (HELP_FLAGS.has(arg)) return true;
  }
  return false;
}

/**
 * Dispatches `cs <command> [args]` to a command from the table and resolves to the exit code:
 * 0 success, 1 failure of the command's work, 2 bad usage (unknown command or flag).
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[],
): Promise<number> {
  const byName = new Map(commands.map((command) => [command.name, command]));
  const [first, ...rest] = argv;

  if (first === undefined) {
    io.stderr.write(overview(commands));
    return EXIT_USAGE;
  }
  if (first === 'help' || HELP_FLAGS.has(first)) {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic === undefined) {
      io.stdout.write(overview(commands));
      return EXIT_OK;
    }
    const command = byName.get(topic);
    if (!command) return unknownCommand(io, topic);
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return EXIT_OK;
  }
  if (first.startsWith('-')) {
    io.stderr.write(`cs: unknown option '${first}'\nRun 'cs help' for the list of commands.\n`);
    return EXIT_USAGE;
  }

  const command = byName.get(first);
  if (!command) return unknownCommand(io, first);
  if (wantsHelp(rest)) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      io.stderr.write(
        `cs ${command.name}: ${error.message}\nRun 'cs ${command.name} --help' for usage.\n`,
      );
      return EXIT_USAGE;
    }
    io.stderr.write(`cs ${command.name}: ${errorMessage(error)}\n`);
    return EXIT_FAILURE;
  }
}

function unknownCommand(io: CliIo, name: string): number {
  io.stderr.write(`cs: unknown command '${name}'\nRun 'cs help' for the list of commands.\n`);
  return EXIT_USAGE;
}
