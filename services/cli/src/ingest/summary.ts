import { formatRefusal, type Refusal } from './refusals.js';
import { eventsPerSecond } from './progress.js';
import type { LinePosition } from './batcher.js';

/** What a load did, for the summary and the exit code. */
export interface IngestReport {
  files: number;
  /** Non-blank lines judged (accepted + refused). */
  lines: number;
  accepted: number;
  /** Accepted events Kafka acknowledged: equal to `accepted` unless publishing failed. */
  published: number;
  refused: number;
  /** The first refusals, in file order. */
  firstRefusals: readonly Refusal[];
  elapsedMs: number;
  /** Set when the load stopped because Kafka or the registry could not be reached. */
  failure?: { message: string; safeThrough: LinePosition | undefined };
}

const count = new Intl.NumberFormat('en-US');

/** The end-of-run summary (stdout). `refusalsFile`: where all refusals were written, if asked. */
export function formatSummary(report: IngestReport, refusalsFile?: string): string {
  const seconds = report.elapsedMs / 1000;
  const lines = [
    `files:     ${report.files}`,
    `lines:     ${count.format(report.lines)}`,
    `accepted:  ${count.format(report.accepted)}`,
    `published: ${count.format(report.published)}`,
    `refused:   ${count.format(report.refused)}`,
  ];
  for (const refusal of report.firstRefusals) lines.push(`  ${formatRefusal(refusal)}`);
  const unlisted = report.refused - report.firstRefusals.length;
  if (unlisted > 0) {
    lines.push(
      refusalsFile === undefined
        ? `  … and ${count.format(unlisted)} more (list them all with --refusals FILE)`
        : `  … and ${count.format(unlisted)} more (all of them are in ${refusalsFile})`,
    );
  }
  lines.push(`elapsed:   ${seconds.toFixed(1)} s`);
  lines.push(
    `rate:      ${count.format(eventsPerSecond(report.published, report.elapsedMs))} events/s`,
  );
  return `${lines.join('\n')}\n`;
}

/** The failure line (stderr): what failed, what is safely in Kafka, where to resume. */
export function formatFailure(report: IngestReport): string | undefined {
  if (report.failure === undefined) return undefined;
  const { message, safeThrough } = report.failure;
  const safe =
    safeThrough === undefined
      ? 'nothing was published'
      : `${count.format(report.published)} events were published before the failure and are ` +
        `safely in Kafka: every line up to ${safeThrough.file}:${safeThrough.line}`;
  return (
    `cs ingest: ${message}\n` +
    `cs ingest: ${safe}; later lines were not published. Loading the file again is safe: ` +
    `events already in Kafka become duplicates, which are dropped downstream by tenant + id.\n`
  );
}

export const EXIT_ALL_ACCEPTED = 0;
export const EXIT_SOME_REFUSED_OR_FAILED = 1;

/** 0 when every line was accepted and published; 1 when some line was refused or publishing failed. */
export function exitCodeOf(report: IngestReport): number {
  return report.failure === undefined && report.refused === 0
    ? EXIT_ALL_ACCEPTED
    : EXIT_SOME_REFUSED_OR_FAILED;
}
