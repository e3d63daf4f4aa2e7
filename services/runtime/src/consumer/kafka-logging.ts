import { logLevel, type logCreator } from 'kafkajs';
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
