export { migrate, type AppliedMigration, type MigrateOptions } from './migrate.js';
export {
  DEFAULT_MIGRATIONS_DIR,
  MigrationError,
  migrationStatements,
  readMigrationFiles,
  targetDatabases,
  type MigrationErrorCode,
  type MigrationFile,
  type TargetDatabases,
} from './migration-files.js';
