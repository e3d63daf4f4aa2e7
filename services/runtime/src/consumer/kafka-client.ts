import { Kafka, logLevel, type logCreator, type RetryOptions } from 'kafkajs';
import type { Logger } from '../logger.js';

/** Routes kafkajs' own logs into the structured logger, under component fields of their namespace. */
function kafkajsLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...fields } = log;
      const line = typeof message === 'string' ? message : String(message);
      const extra = { kafkajs: namespace, ...fields };
      if (level === logLevel.ERROR) logger.error(line, extra);
      else if (level === logLevel.WARN) logger.warn(line, extra);
      else if (level === logLevel.INFO) logger.info(line, extra);
      else logger.debug(line, extra);
    };
}

/**
 * The retries of a long-running service's kafkajs client: 10 (kafkajs: 5), from 300 ms doubling
 * up to 30 s apart, about two minutes in all, so that a broker restart or a short outage is waited
 * through by the request that meets it rather than surfacing as an error after ~9 s.
 *
 * NOTE: a consumer whose group-coordinator lookup found no broker at all used to stop for good
 * whatever the retries (kafkajs bails out of that lookup at once); patches/kafkajs+2.2.4.patch
 * gives that failure its connection error as cause, and kafkajs restarts the consumer.
 */
const SERVICE_KAFKA_RETRY: RetryOptions = {
  retries: 10,
  initialRetryTime: 300,
  maxRetryTime: 30_000,
};

export interface ServiceKafkaOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  readonly logLevel?: logLevel;
}

/** The kafkajs client of a long-running service: its logs in `logger`, SERVICE_KAFKA_RETRY. */
export function createServiceKafka(options: ServiceKafkaOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: options.logLevel ?? logLevel.WARN,
    logCreator: kafkajsLogCreator(options.logger),
    retry: SERVICE_KAFKA_RETRY,
  });
}
