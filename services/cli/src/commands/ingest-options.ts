import { UsageError, integerFlag, parseCommandArgs } from '../command.js';
import { DEFAULT_BATCH_LIMITS, type BatchLimits } from '../ingest/batcher.js';

export interface IngestOptions {
  /** Paths, `-` for stdin (at most once). */
  files: string[];
  limits: BatchLimits;
  maxLineBytes: number;
  /** Publishing retries per batch (and for connecting) before the load stops. */
  retries: number;
  /** Refusals listed in the summary. */
  showRefusals: number;
  /** Where to write every refusal as NDJSON, if anywhere. */
  refusalsFile: string | undefined;
  quiet: boolean;
}

export const INGEST_DEFAULTS = {
  batchEvents: DEFAULT_BATCH_LIMITS.maxEvents,
  batchBytes: DEFAULT_BATCH_LIMITS.maxBytes,
  maxLineBytes: 1 << 20,
  retries: 5,
  showRefusals: 20,
} as const;

export function parseIngestArgs(argv: readonly string[]): IngestOptions {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      'batch-size': { type: 'string' },
      'batch-bytes': { type: 'string' },
      'max-line-bytes': { type: 'string' },
      retries: { type: 'string' },
      'show-refusals': { type: 'string' },
      refusals: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      wait: { type: 'boolean' },
    },
    true,
  );
  if (values.wait === true) {
    // Honest rather than faked: nothing downstream of Kafka exists to wait for yet.
    throw new UsageError(
      '--wait is not available yet (the warehouse side is not built); cs ingest returns once ' +
        'Kafka has acknowledged every accepted event',
    );
  }
  if (positionals.length === 0) throw new UsageError('give at least one FILE (or - for stdin)');
  if (positionals.filter((file) => file === '-').length > 1) {
    throw new UsageError('- (stdin) can be given only once');
  }
  const d = INGEST_DEFAULTS;
  return {
    files: positionals,
    limits: {
      maxEvents: integerFlag('batch-size', values['batch-size'], d.batchEvents, 1),
      maxBytes: integerFlag('batch-bytes', values['batch-bytes'], d.batchBytes, 1),
    },
    maxLineBytes: integerFlag('max-line-bytes', values['max-line-bytes'], d.maxLineBytes, 1),
    retries: integerFlag('retries', values.retries, d.retries, 0),
    showRefusals: integerFlag('show-refusals', values['show-refusals'], d.showRefusals, 0),
    refusalsFile: values.refusals,
    quiet: values.quiet ?? false,
  };
}
