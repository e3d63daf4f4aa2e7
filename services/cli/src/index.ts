// What other workspaces use of the cli: the pipeline quiescence rule (the end-to-end harness).
export {
  DEFAULT_PIPELINE_GROUPS,
  PipelineNotQuiescent,
  describeLag,
  pipelineGroupsFromEnv,
  pipelineLag,
  totalLag,
  waitForQuiescence,
  type LagSnapshot,
  type QuiescenceOptions,
} from './status/quiescence.js';
// The commands themselves, to run in-process (end-to-end tests): `run(argv, io)` → exit code.
export { ingestCommand } from './commands/ingest.js';
export { rebuildCommand } from './commands/rebuild.js';
export { processIo, type CliIo } from './command.js';
