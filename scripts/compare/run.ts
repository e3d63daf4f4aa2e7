// One comparison run: generate a workload, push it through a fresh pipeline (its own topics and
// database), compute the reference from the same file, diff every view, tear the pipeline down.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { TestServices } from '@cs/infra/testing';
import { computeReference, type Reference } from '@cs/reference';
import { ingestCommand } from '@cs/cli';
import { startPipeline, type Pipeline } from '../testing/pipeline.js';
import { formatReport, viewMatches, type ViewDiff } from './diff.js';
import { compareViews, type QueryRows } from './views.js';
import { COMPARE_TENANTS, generateWorkload, type WorkloadSpec } from './workload.js';

export interface ComparisonResult {
  diffs: ViewDiff[];
  matches: boolean;
  report: string;
  /** What `cs ingest` printed (accepted, refused, elapsed). */
  ingestSummary: string;
  reference: Reference;
}

export interface ComparisonOptions {
  spec: WorkloadSpec;
  /** `YYYY-MM-DD`; default the workload's last day. */
  asOf?: string;
  services: TestServices;
  log?: (line: string) => void;
  /** Examples per view in the report. */
  limit?: number;
  /** Stop the pipeline (processes, topics' database) on SIGINT/SIGTERM: for the command line. */
  stopOnSignal?: boolean;
}

const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Loads the workload with `cs ingest --wait`. Exit code 1 means some line was refused or publishing
 * failed: refused lines are expected exactly when the reference refuses them too (bad lines), so 1
 * is accepted when every accepted line was published and the refused count is the reference's.
 */
async function ingest(pipeline: Pipeline, file: string, refusedLines: number): Promise<string> {
  let output = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await ingestCommand.run([file, '--wait', '--wait-timeout=600s', '--quiet'], {
    stdout: sink,
    stderr: sink,
    stdin: new PassThrough(),
    env: pipeline.env,
  });
  const count = (label: string): number | undefined => {
    const match = new RegExp(`^${label}:\\s+([\\d,]+)$`, 'm').exec(output)?.[1];
    return match === undefined ? undefined : Number(match.replaceAll(',', ''));
  };
  const onlyRefusals =
    code === 1 &&
    refusedLines > 0 &&
    count('refused') === refusedLines &&
    count('accepted') !== undefined &&
    count('accepted') === count('published');
  if (code !== 0 && !onlyRefusals) {
    throw new Error(`cs ingest exited with ${String(code)}:\n${output}`);
  }
  return output;
}

export function queryRows(pipeline: Pipeline): QueryRows {
  return async (query, params) => {
    const result = await pipeline.clickhouse.query({
      query: query.replaceAll('{db}', pipeline.database),
      query_params: params,
      format: 'JSONEachRow',
      // Exact strings for 64-bit integers and Decimals: normalise.ts parses them.
      clickhouse_settings: {
        output_format_json_quote_64bit_integers: 1,
        output_format_json_quote_decimals: 1,
      },
    });
    return result.json<Record<string, unknown>>();
  };
}

export async function runComparison(options: ComparisonOptions): Promise<ComparisonResult> {
  const log = options.log ?? ((): void => undefined);
  const { spec } = options;
  const asOf = options.asOf ?? addDays(spec.start, spec.days - 1);
  const dir = mkdtempSync(join(tmpdir(), 'cs-compare-'));
  try {
    const workload = await generateWorkload(dir, spec);
    log(`workload: ${String(workload.lines.length)} lines → ${workload.file}`);
    const tenants = COMPARE_TENANTS.map(({ id }) => id);
    const settings = Object.fromEntries(
      COMPARE_TENANTS.map(({ id, timezone, timeoutMinutes }) => [id, { timezone, timeoutMinutes }]),
    );
    const reference = computeReference(workload.lines, settings, { asOf });
    log(`reference: ${String(reference.refused_lines.length)} refused lines`);
    const pipeline = await startPipeline({
      tenants: [...COMPARE_TENANTS],
      services: options.services,
    });
    // NOTE: without this, Ctrl-C would leave the four service processes and the database behind.
    const onSignal = (): void => {
      void pipeline.stop().finally(() => process.exit(130));
    };
    if (options.stopOnSignal === true) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    try {
      log(`pipeline: prefix ${pipeline.prefix}, database ${pipeline.database}; ingesting …`);
      const ingestSummary = await ingest(pipeline, workload.file, reference.refused_lines.length);
      log(ingestSummary.trim());
      const diffs = await compareViews(queryRows(pipeline), reference, tenants, {
        from: spec.start,
        asOf,
      });
      return {
        diffs,
        matches: diffs.every(viewMatches),
        report: formatReport(diffs, options.limit),
        ingestSummary,
        reference,
      };
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await pipeline.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
