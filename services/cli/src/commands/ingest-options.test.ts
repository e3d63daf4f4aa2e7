import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { INGEST_DEFAULTS, parseIngestArgs } from './ingest-options.js';

describe('cs ingest options', () => {
  it('takes files and defaults', () => {
    expect(parseIngestArgs(['a.ndjson', '-'])).toEqual({
      files: ['a.ndjson', '-'],
      limits: { maxEvents: INGEST_DEFAULTS.batchEvents, maxBytes: INGEST_DEFAULTS.batchBytes },
      maxLineBytes: INGEST_DEFAULTS.maxLineBytes,
      retries: INGEST_DEFAULTS.retries,
      showRefusals: INGEST_DEFAULTS.showRefusals,
      refusalsFile: undefined,
      quiet: false,
      wait: false,
      waitTimeoutMs: 600_000,
    });
  });

  it('reads every flag', () => {
    const options = parseIngestArgs([
      'a',
      '--batch-size=10',
      '--batch-bytes',
      '100',
      '--max-line-bytes=50',
      '--retries=0',
      '--show-refusals=3',
      '--refusals',
      'r.ndjson',
      '-q',
    ]);
    expect(options).toMatchObject({
      limits: { maxEvents: 10, maxBytes: 100 },
      maxLineBytes: 50,
      retries: 0,
      showRefusals: 3,
      refusalsFile: 'r.ndjson',
      quiet: true,
    });
  });

  it('refuses no files, stdin twice, bad numbers', () => {
    expect(() => parseIngestArgs([])).toThrow(UsageError);
    expect(() => parseIngestArgs(['-', '-'])).toThrow(/only once/);
    expect(() => parseIngestArgs(['a', '--batch-size=0'])).toThrow(/--batch-size/);
  });

  it('takes --wait with a timeout in seconds or with a unit', () => {
    expect(parseIngestArgs(['a', '--wait'])).toMatchObject({ wait: true, waitTimeoutMs: 600_000 });
    expect(parseIngestArgs(['a', '--wait', '--wait-timeout=90']).waitTimeoutMs).toBe(90_000);
    expect(parseIngestArgs(['a', '--wait', '--wait-timeout', '2m']).waitTimeoutMs).toBe(120_000);
    expect(parseIngestArgs(['a', '--wait', '--wait-timeout=1h']).waitTimeoutMs).toBe(3_600_000);
    expect(parseIngestArgs(['a', '--wait', '--wait-timeout=500ms']).waitTimeoutMs).toBe(500);
  });

  it('refuses a bad --wait-timeout, and one without --wait', () => {
    expect(() => parseIngestArgs(['a', '--wait', '--wait-timeout=0'])).toThrow(/--wait-timeout/);
    expect(() => parseIngestArgs(['a', '--wait', '--wait-timeout=soon'])).toThrow(/soon/);
    expect(() => parseIngestArgs(['a', '--wait-timeout=5m'])).toThrow(/needs --wait/);
  });
});
