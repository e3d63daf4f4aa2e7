// The public API of @cs/gateway: start an HTTP ingestion gateway (tests, embedding) and its parts.
export { startGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { gatewayEnvSchema, type GatewayEnv } from './config.js';
export {
  mapSegmentCall,
  segmentErrors,
  SEGMENT_CALL_TYPES,
  type SegmentCallType,
  type SegmentMapping,
} from './segment-mapping.js';
export type { IngestBody, Refused } from './ingest.js';
