// The public API of @cs/schemas: the Avro schemas and their generated types, validation of
// canonical events, the topic catalog, registration and the wire codec.
export * from './generated/index.js';
export {
  validateEvent,
  formatErrors,
  TENANT_PATTERN,
  type FieldError,
  type ValidEvent,
  type ValidationResult,
  type ValidationContext,
} from './validate.js';
export { toCanonicalJson } from './canonical.js';
export {
  MONEY_PRECISION,
  MONEY_SCALE,
  parseDecimal,
  formatDecimal,
  decimalToUnits,
  type DecimalParse,
} from './decimal.js';
export {
  parseInstant,
  parseDate,
  formatInstant,
  formatDate,
  MIN_INSTANT_MS,
  MAX_INSTANT_MS,
} from './time.js';
export {
  topicCatalog,
  topicCatalogFromEnv,
  topicFor,
  eventKey,
  recordKey,
  ensureTopics,
  subjectFor,
  rawTopicName,
  derivedTopicName,
  derivedSchemaName,
  DERIVED_TOPICS,
  DERIVED_NAMES,
  DEAD_LETTER_TOPIC,
  DEFAULT_TOPIC_OPTIONS,
  type TopicSpec,
  type TopicCatalog,
  type TopicCatalogOptions,
  type TopicsErrorCode,
  type DerivedName,
  type DerivedSchemaName,
} from './topics.js';
export {
  createSchemaRegistry,
  registerSchemas,
  type SchemaIds,
  type SchemaRegistryOptions,
  type RegistryErrorCode,
} from './registry.js';
export {
  createCodec,
  wireSchemaId,
  WIRE_HEADER_BYTES,
  type Codec,
  type CodecErrorCode,
} from './codec.js';
export { avroOptions, DecimalType, avroType, avroTypeForSchema } from './avro-types.js';
export {
  CONTROL_TOPIC,
  GENERATION_KEY,
  MAX_GENERATION,
  controlTopicName,
  generationEnvSchema,
  generationFromEnv,
  generationName,
  generationSuffix,
  parseGenerationValue,
  readGeneration,
  refuseStaleGeneration,
  writeGeneration,
} from './generation.js';
export {
  connectProcessor,
  type ChangelogRead,
  type ProcessorConnectOptions,
  type ProcessorConnection,
  type ProcessorShellSettings,
} from './processor.js';
