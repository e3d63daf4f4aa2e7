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
  /** Wait until the pipeline has consumed everything published (`--wait`). */
  wait: boolean;
  /** How long `--wait` may take before the command fails naming what lags. */
  waitTimeoutMs: number;
}

export const INGEST_DEFAULTS = {
  batchEvents: DEFAULT_BATCH_LIMITS.maxEvents,
  batchBytes: DEFAULT_BATCH_LIMITS.maxBytes,
  maxLineBytes: 1 << 20,
  retries: 5,
  showRefusals: 20,
  waitTimeoutMs: 10 * 60_000,
} as const;

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `--wait-timeout`: `90` (seconds), `90s`, `10m`, `1h`, `500ms`; a UsageError otherwise. */
export function parseWaitTimeout(raw: string | undefined): number {
  if (raw === undefined) return INGEST_DEFAULTS.waitTimeoutMs;
  const match = /^(\d+)(ms|s|m|h)?$/.exec(raw.trim());
  const amount = match === null ? Number.NaN : Number(match[1]);
  const unit = DURATION_UNITS_MS[match?.[2] ?? 's'] ?? 1000;
  if (!Number.isSafeInteger(amount) || amount < 1) {
    throw new UsageError(
      `--wait-timeout must be a positive duration (90, 90s, 10m, 1h, 500ms), got '${raw}'`,
    );
  }
  return amount * unit;
}

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
      'wait-timeout': { type: 'string' },
    },
    true,
  );
  if (values['wait-timeout'] !== undefined && values.wait !== true) {
    throw new UsageError('--wait-timeout needs --wait');
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
    wait: values.wait ?? false,
    waitTimeoutMs: parseWaitTimeout(values['wait-timeout']),
  };
}
