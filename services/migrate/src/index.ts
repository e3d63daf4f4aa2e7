export {
  bookkeepingStatements,
  migrate,
  type AppliedMigration,
  type MigrateOptions,
} from './migrate.js';
export {
  REPLICA_NAME,
  REPLICATION_PATH,
  renderForCluster,
  stripComments,
  validClusterName,
} from './cluster.js';
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
