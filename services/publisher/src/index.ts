// The public API of @cs/publisher: the one way canonical events get into Kafka.
export {
  createPublisher,
  type Publisher,
  type PublisherOptions,
  type PublishResult,
  type PublisherHealth,
  type PublisherErrorCode,
} from './publisher.js';
