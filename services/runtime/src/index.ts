export { CsError, errorMessage } from './errors.js';
export { createLogger, redact, type Logger, type LogLevel, type LoggerOptions } from './logger.js';
export { brokerListSchema, kafkaServiceEnv, parseEnv, portSchema } from './config.js';
export * from './consumer/index.js';
export { runService, type ServiceExit, type StoppableService } from './run-service.js';
export { limitHeapGrowth } from './heap.js';
export * from './changelog/index.js';
