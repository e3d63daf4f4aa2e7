import { describe, expect, it } from 'vitest';
import { formatProgress, ProgressThrottle, type ProgressState } from './progress.js';
import { exitCodeOf, formatFailure, formatSummary, type IngestReport } from './summary.js';

const REPORT: IngestReport = {
  files: 1,
  lines: 1_005,
  accepted: 1_002,
  published: 1_002,
  refused: 3,
  firstRefusals: [
    { file: 'w.ndjson', line: 4, errors: ['usage.userId: required'] },
    { file: 'w.ndjson', line: 9, errors: ['invalid JSON: Unexpected end of JSON input'] },
  ],
  elapsedMs: 2_000,
};

const STATE: ProgressState = {
  lines: 12_345,
  refused: 3,
  published: 10_000,
  bytesRead: 5 * 1024 * 1024,
  totalBytes: 20 * 1024 * 1024,
  elapsedMs: 2_000,
};

describe('summary', () => {
  it('lists counts, the first refusals, elapsed and rate', () => {
    expect(formatSummary(REPORT)).toBe(
      [
        'files:     1',
        'lines:     1,005',
        'accepted:  1,002',
        'published: 1,002',
        'refused:   3',
        '  w.ndjson:4: usage.userId: required',
        '  w.ndjson:9: invalid JSON: Unexpected end of JSON input',
        '  … and 1 more (list them all with --refusals FILE)',
        'elapsed:   2.0 s',
        'rate:      501 events/s',
        '',
      ].join('\n'),
    );
    expect(formatSummary(REPORT, 'r.ndjson')).toContain('(all of them are in r.ndjson)');
  });

  it('exits 0 only when every line was accepted and published', () => {
    expect(exitCodeOf(REPORT)).toBe(1);
    expect(exitCodeOf({ ...REPORT, refused: 0, firstRefusals: [] })).toBe(0);
    expect(
      exitCodeOf({ ...REPORT, refused: 0, failure: { message: 'x', safeThrough: undefined } }),
    ).toBe(1);
  });

  it('says what is safely in Kafka after a failure', () => {
    expect(formatFailure(REPORT)).toBeUndefined();
    const text = formatFailure({
      ...REPORT,
      published: 1_000,
      failure: {
        message: 'Kafka at h:9092 is unreachable',
        safeThrough: { file: 'w.ndjson', line: 1_003 },
      },
    });
    expect(text).toContain('cs ingest: Kafka at h:9092 is unreachable\n');
    expect(text).toContain('1,000 events were published before the failure');
    expect(text).toContain('every line up to w.ndjson:1003');
  });
});

describe('progress', () => {
  it('shows records, bytes of the total, percent and rate', () => {
    expect(formatProgress(STATE)).toBe(
      'cs ingest: 12,345 records (3 refused), 5.0 MiB / 20.0 MiB (25.0 %), 5,000 events/s',
    );
    expect(formatProgress({ ...STATE, totalBytes: undefined })).toContain('5.0 MiB read,');
  });

  it('refreshes at most 4×/s on a terminal, in place', () => {
    const throttle = new ProgressThrottle(true, 0);
    expect(throttle.render(STATE, 100)).toBeUndefined();
    const text = throttle.render(STATE, 250);
    expect(text?.startsWith('\r')).toBe(true);
    expect(text?.endsWith('\u001b[K')).toBe(true);
    expect(throttle.render(STATE, 400)).toBeUndefined();
    expect(throttle.render(STATE, 500)).toBeDefined();
  });

  it('writes a plain line every 5 s to a log', () => {
    const throttle = new ProgressThrottle(false, 0);
    expect(throttle.render(STATE, 4_999)).toBeUndefined();
    expect(throttle.render(STATE, 5_000)).toMatch(/^cs ingest: .*\n$/);
    expect(throttle.clear()).toBe('');
  });
});
