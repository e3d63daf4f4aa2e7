import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '@cs/runtime';

// NOTE: the publisher deliberately gives its idempotent producer a bounded retry budget (see
// publisher.ts: a producer whose send failed is replaced, never reused), so kafkajs's warning
// about limited retries describes a risk that does not apply here.
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

/**
 * Routes kafkajs's own logs into our structured logger. Its errors become warnings: kafkajs logs
 * every retried attempt as an error, while the outcome that matters is what publish() reports.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      if (EXPECTED_WARNINGS.some((expected) => message.startsWith(expected))) return;
      const record = { namespace, ...fields };
      // kafkajs's info lines (connects, group joins) are routine: debug.
      if (level === logLevel.ERROR || level === logLevel.WARN) log.warn(message, record);
      else log.debug(message, record);
    };
}
