// The public API of @cs/sdk: a producer client for canonical events (CONTRACT §1).
export { createClient, type Client, type ClientOptions, type TransportOptions } from './client.js';
export type {
  TrackInput,
  IdentifyInput,
  GroupInput,
  SubscriptionInput,
  InvoiceInput,
  TicketInput,
  Instant,
  Amount,
} from './inputs.js';
export { SdkError, InvalidEventError, type SdkErrorCode } from './errors.js';
export type { FlushResult } from './delivery-queue.js';
export type { BackoffOptions } from './backoff.js';
export type { Clock } from './clock.js';
export type { KafkaTransportOptions } from './kafka-transport.js';
export type { GatewayTransportOptions } from './gateway-transport.js';
