import { runCli } from './cli.js';
import { processIo } from './command.js';
import { COMMANDS } from './commands/index.js';

// NOTE: exitCode rather than process.exit(), so buffered stdout (a piped NDJSON stream, a large
// query result) is flushed before the process ends.
process.exitCode = await runCli(process.argv.slice(2), processIo(), COMMANDS);
