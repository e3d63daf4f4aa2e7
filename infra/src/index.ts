export {
  stackUp,
  stackDown,
  stackStatus,
  type ServiceReport,
  type StackUpResult,
} from './stack.js';
export {
  stackProfile,
  serviceUrls,
  SERVICE_NAMES,
  type ServiceName,
  type StackProfile,
} from './profile.js';
export { kafkaAnswers, KAFKA_VERSION } from './kafka.js';
export { setGlobalCompatibility, APICURIO_VERSION } from './registry.js';
export { repoRoot, infraHome, cacheDir } from './paths.js';
export { isPortFree, stopProcess, startDetached, runningPid } from './process-control.js';
