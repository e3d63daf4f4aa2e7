// `cs ingest --wait`: after publishing, wait until every pipeline consumer group has consumed
// everything (the quiescence rule of src/status/quiescence.ts), so the figures are queryable.
import { Kafka, logLevel } from 'kafkajs';
import { errorMessage } from '@cs/runtime';
import {
  PipelineNotQuiescent,
  pipelineLag,
  totalLag,
  waitForQuiescence,
  type LagSnapshot,
} from '../status/quiescence.js';

export interface WaitQueryableOptions {
  brokers: readonly string[];
  /** Consumer groups, upstream first. */
  groups: readonly string[];
  timeoutMs: number;
  /** Progress lines (total lag) go here; undefined: none. */
  progress: ((line: string) => void) | undefined;
  intervalMs?: number;
}

export type WaitOutcome =
  | { kind: 'queryable'; elapsedMs: number }
  | { kind: 'timeout'; message: string }
  | { kind: 'failed'; message: string };

const PROGRESS_EVERY_MS = 2000;

export async function waitUntilQueryable(options: WaitQueryableOptions): Promise<WaitOutcome> {
  const started = Date.now();
  const kafka = new Kafka({
    clientId: 'cs-ingest-wait',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  let lastShown = 0;
  const show = (snapshot: LagSnapshot): void => {
    if (options.progress === undefined || Date.now() - lastShown < PROGRESS_EVERY_MS) return;
    lastShown = Date.now();
    const waiting = snapshot.unknownGroups.length;
    options.progress(
      `waiting for the pipeline: total lag ${String(totalLag(snapshot))}` +
        (waiting > 0 ? `, ${String(waiting)} group(s) not started` : '') +
        ` (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  };
  try {
    await admin.connect();
    await waitForQuiescence({
      measure: () => pipelineLag(admin, options.groups),
      timeoutMs: options.timeoutMs,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      onReading: show,
    });
    return { kind: 'queryable', elapsedMs: Date.now() - started };
  } catch (error: unknown) {
    if (error instanceof PipelineNotQuiescent) return { kind: 'timeout', message: error.message };
    return {
      kind: 'failed',
      message: `could not read the consumer groups' lag at ${options.brokers.join(',')}: ${errorMessage(error)}`,
    };
  } finally {
    await admin.disconnect();
  }
}
