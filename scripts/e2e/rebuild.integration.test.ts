// `cs rebuild` end to end: a generated workload through the real pipeline, every cs.* view read
// row by row, the services stopped, `cs rebuild` run (it refuses while they run), every view read
// again and compared; then the pipeline restarted in the new generation, the rest of the workload
// ingested, and every view compared with @cs/reference over the whole workload.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestCommand, rebuildCommand } from '@cs/cli';
import { repoRoot } from '@cs/infra';
import { testServices } from '@cs/infra/testing';
import { computeReference } from '@cs/reference';
import { readGeneration } from '@cs/schemas';
import { formatReport, viewMatches } from '../compare/diff.js';
import { queryRows } from '../compare/run.js';
import { compareViews } from '../compare/views.js';
import { COMPARE_TENANTS, generateWorkload, type WorkloadSpec } from '../compare/workload.js';
import { startPipeline, type Pipeline } from '../testing/pipeline.js';

const spec: WorkloadSpec = {
  seed: 3,
  accounts: 5,
  users: 10,
  days: 4,
  start: '2026-01-01',
  lateFraction: 0,
  duplicateFraction: 0.05,
  badFraction: 0,
  disorderFraction: 0,
  disorderHours: 12,
};
const asOf = '2026-01-04';
const tenants = COMPARE_TENANTS.map(({ id }) => id);

interface CommandResult {
  code: number;
  output: string;
}

async function runCommand(
  command: typeof ingestCommand,
  argv: string[],
  env: Record<string, string>,
): Promise<CommandResult> {
  let output = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A command throws what the `cs` dispatcher (runCli) would print with exit code 1.
  const code = await command
    .run(argv, { stdout: sink, stderr: sink, stdin: new PassThrough(), env })
    .catch((error: unknown) => {
      output += `cs: ${error instanceof Error ? error.message : String(error)}\n`;
      return 1;
    });
  return { code, output };
}

async function ingest(pipeline: Pipeline, file: string): Promise<void> {
  const result = await runCommand(
    ingestCommand,
    [file, '--wait', '--wait-timeout=600s', '--quiet'],
    pipeline.env,
  );
  expect(result.code, result.output).toBe(0);
}

/** The views of the analyst database, with the named parameters of the parameterised ones. */
async function analystViews(
  pipeline: Pipeline,
): Promise<Array<{ name: string; params: string[] }>> {
  const rows = await pipeline.rows<{ name: string; create_table_query: string }>(
    `SELECT name, create_table_query FROM system.tables
     WHERE database = {database:String} AND engine = 'View' ORDER BY name`,
    { database: pipeline.database },
  );
  return rows.map(({ name, create_table_query }) => ({
    name,
    params: [
      ...new Set([...create_table_query.matchAll(/\{(\w+):\s*\w+\}/g)].map((m) => String(m[1]))),
    ],
  }));
}

const PARAM_VALUES: Record<string, (tenant: string) => string> = {
  tenant: (tenant) => tenant,
  date_from: () => spec.start,
  date_to: () => asOf,
  as_of: () => asOf,
};

/** Every row of every view (parameterised ones per tenant, over the workload), sorted. */
async function snapshotViews(pipeline: Pipeline): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const view of await analystViews(pipeline)) {
    const calls =
      view.params.length === 0
        ? [{ label: view.name, sql: `SELECT * FROM {db}.${view.name}`, params: {} }]
        : tenants.map((tenant) => {
            const args = view.params.map((param) => `${param} = {${param}:String}`).join(', ');
            const params = Object.fromEntries(
              view.params.map((param) => {
                const value = PARAM_VALUES[param];
                if (value === undefined) {
                  throw new Error(
                    `view ${view.name} has a parameter '${param}' with no test value`,
                  );
                }
                return [param, value(tenant)];
              }),
            );
            return {
              label: `${view.name}(${tenant})`,
              sql: `SELECT * FROM {db}.${view.name}(${args})`,
              params,
            };
          });
    for (const call of calls) {
      const rows = await pipeline.rows<Record<string, unknown>>(call.sql, call.params);
      snapshot[call.label] = rows.map((row) => JSON.stringify(row)).sort();
    }
  }
  return snapshot;
}

describe('cs rebuild', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-rebuild-'));
  let pipeline: Pipeline | undefined;
  afterAll(async () => {
    await pipeline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses while the services run, then rebuilds every view identical, and the pipeline goes on correctly in the new generation', async () => {
    const workload = await generateWorkload(dir, spec);
    const cut = Math.floor(workload.lines.length * 0.6);
    const first = join(dir, 'first.ndjson');
    const rest = join(dir, 'rest.ndjson');
    writeFileSync(first, `${workload.lines.slice(0, cut).join('\n')}\n`);
    writeFileSync(rest, `${workload.lines.slice(cut).join('\n')}\n`);

    const services = testServices();
    pipeline = await startPipeline({ tenants: [...COMPARE_TENANTS], services });
    await ingest(pipeline, first);
    const before = await snapshotViews(pipeline);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(15);
    expect(before.daily_activity?.length).toBeGreaterThan(0);
    expect(before.sessions?.length).toBeGreaterThan(0);
    expect(before.mrr_monthly?.length).toBeGreaterThan(0);

    // Refused while the services run: nothing changes, and the message names the groups.
    const refused = await runCommand(rebuildCommand, [], pipeline.rebuildEnv);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/stop the services first/);
    expect(refused.output).toContain(pipeline.groups[0]);
    expect(refused.output).toMatch(/nothing live changed/);
    const kafka = new Kafka({ brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
    expect(await readGeneration(kafka, pipeline.prefix)).toBe(0);

    await pipeline.stopServices();
    const rebuilt = await runCommand(
      rebuildCommand,
      ['--progress-every', '2s', '--timeout', '10m'],
      pipeline.rebuildEnv,
    );
    expect(rebuilt.code, rebuilt.output).toBe(0);
    expect(rebuilt.output).toMatch(/rebuilt: generation 1 \(was 0\)/);
    expect(rebuilt.output).toMatch(/replay: /);
    expect(await readGeneration(kafka, pipeline.prefix)).toBe(1);

    const after = await snapshotViews(pipeline);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const differing = Object.keys(before).filter(
      (view) => JSON.stringify(after[view]) !== JSON.stringify(before[view]),
    );
    const shown = differing
      .slice(0, 5)
      .map(
        (view) =>
          `${view}: before ${String(before[view]?.length)} rows, after ${String(after[view]?.length)}`,
      );
    expect(differing, `${shown.join('\n')}\n${rebuilt.output}`).toEqual([]);
    for (const view of Object.keys(before)) {
      expect(after[view], `view ${view} after the rebuild`).toEqual(before[view]);
    }
    // The old generation's topics are gone; the new one's exist.
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).toContain(`${pipeline.prefix}cs.derived.session.g1`);
    expect(topics).not.toContain(`${pipeline.prefix}cs.derived.session`);
    expect(topics).toContain(`${pipeline.prefix}cs.raw.usage`);

    // A processor still configured for generation 0 (started by hand, say) refuses to start: it
    // would recreate the old topics and feed the old figures to a sink a second time.
    const stale = spawnSync(
      process.execPath,
      ['--conditions=@cs/source', '--import', 'tsx', 'services/billing/src/service/main.ts'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          ...pipeline.rebuildEnv,
          CS_PIPELINE_GENERATION: '0',
          CS_BILLING_METRICS_PORT: '0',
        },
      },
    );
    expect(stale.status, stale.stderr).not.toBe(0);
    expect(stale.stdout + stale.stderr).toMatch(
      /CS_PIPELINE_GENERATION is 0 but .*generation 1 as current/,
    );

    // The pipeline goes on in generation 1: the rest of the workload, then the whole workload
    // against the reference.
    await pipeline.startServices();
    expect(pipeline.generation).toBe(1);
    expect(pipeline.groups[0]).toMatch(/\.g1$/);
    await ingest(pipeline, rest);
    const settings = Object.fromEntries(
      COMPARE_TENANTS.map(({ id, timezone, timeoutMinutes }) => [id, { timezone, timeoutMinutes }]),
    );
    const reference = computeReference(workload.lines, settings, { asOf });
    const diffs = await compareViews(queryRows(pipeline), reference, tenants, {
      from: spec.start,
      asOf,
    });
    expect(diffs.length).toBeGreaterThan(10);
    expect(diffs.every(viewMatches), formatReport(diffs)).toBe(true);
  }, 900_000);
});
