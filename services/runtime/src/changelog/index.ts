export {
  restoreChangelogPartition,
  type RestoreChangelogErrorCode,
  type RestoreChangelogOptions,
  type RestoreChangelogResult,
} from './restore-changelog-partition.js';
export { PartitionStates, type PartitionStatesOptions } from './partition-states.js';
export { retryingKafka } from './kafka-retry.js';
