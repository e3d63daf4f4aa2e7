import type { Command } from '../command.js';
import { generateCommand } from './generate.js';
import { ingestCommand } from './ingest.js';
import { migrateCommand } from './migrate.js';
import { rebuildCommand } from './rebuild.js';
import { sqlCommand } from './sql.js';
import { statusCommand } from './status.js';

/** Every `cs` subcommand, in the order `cs help` lists them. New commands register here. */
export const COMMANDS: readonly Command[] = [
  generateCommand,
  ingestCommand,
  migrateCommand,
  rebuildCommand,
  sqlCommand,
  statusCommand,
];
