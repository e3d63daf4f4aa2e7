import { Kafka, logLevel, type logCreator, type RetryOptions } from 'kafkajs';
import type { Logger } from '../logger.js';

/** Routes kafkajs' own logs into the structured logger, under component fields of their namespace. */
export function kafkajsLogCreator(logger: Logger): logCreator {
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
 * up to 30 s apart, about two minutes in all.
 *
 * NOTE: with kafkajs' 5 (about 9 s in all), a consumer that lost its broker for a restart (10 s
 * here) gave up looking for its group coordinator with a non-retriable error, which kafkajs does
 * not restart from: the service halted (seen in the 1 M chaos run). A broker restart or a short
 * outage is something to wait through; what outlasts this still halts the service loudly.
 */
export const SERVICE_KAFKA_RETRY: RetryOptions = {
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
