// The workload of a comparison: `cs generate` into a temp dir (tenant names and a tenants file of
// its own), optionally re-ordered within a bounded window, so the same bytes feed the pipeline and
// the reference.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cs/infra';
import { prng } from '@cs/infra/testing';

export interface WorkloadSpec {
  seed: number;
  accounts: number;
  users: number;
  days: number;
  /** First day (UTC), `YYYY-MM-DD`. */
  start: string;
  lateFraction: number;
  duplicateFraction: number;
  badFraction: number;
  /** Share of usage lines moved later in the file, each by up to `disorderHours` (< 24). */
  disorderFraction: number;
  disorderHours: number;
  /**
   * Also move that share of `account` lines later (by up to `disorderHours`): the hierarchy must
   * not depend on arrival order. Default false.
   */
  disorderAccounts?: boolean;
}

export interface WorkloadTenant {
  id: string;
  timezone: string;
  timeoutMinutes: number;
}

/** One UTC tenant and one with a non-UTC zone (local days differ from UTC days), 30-min timeout. */
export const COMPARE_TENANTS: readonly WorkloadTenant[] = [
  { id: 'cmp1', timezone: 'UTC', timeoutMinutes: 30 },
  { id: 'cmp2', timezone: 'America/New_York', timeoutMinutes: 30 },
];

/**
 * NOTE: the sessionizer holds each user's newest local day and the day before, measured from its
 * partition's watermark (newest `ts`); an older event is `late` (activity, no time), which the
 * reference does not model. A delay under 24 h keeps an event within that horizon in any zone.
 */
export const MAX_DISORDER_HOURS = 23;

function runCs(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'services', 'cli', 'bin', 'cs.mjs'), ...args],
      { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`cs ${args.join(' ')} exited with ${String(code)}`)),
    );
  });
}

/** A small seeded PRNG (mulberry32): re-orderings and chaos schedules repeat with their seed. */
export { prng };

/** The `ts` of a line of one of `types`, else `undefined`. */
function lineTs(line: string, types: readonly string[]): number | undefined {
  if (!types.some((type) => line.includes(`"${type}"`))) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { type, ts } = parsed as { type?: unknown; ts?: unknown };
    if (typeof type !== 'string' || !types.includes(type)) return undefined;
    const ms = typeof ts === 'number' ? ts : typeof ts === 'string' ? Date.parse(ts) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  } catch (error: unknown) {
    // A bad line (--bad-fraction) is not re-ordered: it stays where the generator put it.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Moves a share of usage lines (and of account lines with `accounts`) later by up to `hours`: each
 * line's arrival is the newest usage `ts` seen so far in the file, a moved line's is its own `ts`
 * plus the delay; a stable sort by arrival keeps everything else in file order.
 */
export function disorderLines(
  lines: readonly string[],
  fraction: number,
  hours: number,
  seed: number,
  accounts = false,
): string[] {
  if (fraction <= 0 || hours <= 0) return [...lines];
  const random = prng(seed ^ 0x5eed);
  let clock = -Infinity;
  const arrivals = lines.map((line, index) => {
    const ts = lineTs(line, ['usage']);
    if (ts === undefined) {
      const accountTs = accounts ? lineTs(line, ['account']) : undefined;
      if (accountTs !== undefined && random() < fraction) {
        return { line, index, at: accountTs + Math.floor(random() * hours * 3_600_000) };
      }
      return { line, index, at: clock };
    }
    clock = Math.max(clock, ts);
    const moved = random() < fraction;
    return { line, index, at: moved ? ts + Math.floor(random() * hours * 3_600_000) : clock };
  });
  arrivals.sort((a, b) => a.at - b.at || a.index - b.index);
  return arrivals.map(({ line }) => line);
}

export interface GeneratedWorkload {
  file: string;
  tenantsFile: string;
  lines: string[];
}

export async function generateWorkload(
  dir: string,
  spec: WorkloadSpec,
): Promise<GeneratedWorkload> {
  if (spec.disorderHours > MAX_DISORDER_HOURS) {
    throw new Error(
      `--disorder-hours must be ≤ ${String(MAX_DISORDER_HOURS)} (the sessionizer horizon)`,
    );
  }
  const raw = join(dir, 'generated.ndjson');
  await runCs([
    'generate',
    ...['--seed', String(spec.seed), '--tenants', String(COMPARE_TENANTS.length)],
    ...['--tenant-names', COMPARE_TENANTS.map(({ id }) => id).join(',')],
    ...['--accounts', String(spec.accounts), '--users', String(spec.users)],
    ...['--days', String(spec.days), '--start', spec.start, '--timeout-minutes', '30'],
    ...['--late-fraction', String(spec.lateFraction)],
    ...['--duplicate-fraction', String(spec.duplicateFraction)],
    ...['--bad-fraction', String(spec.badFraction), '--out', raw, '--quiet'],
  ]);
  const generated = readFileSync(raw, 'utf8').split('\n');
  if (generated.at(-1) === '') generated.pop();
  const lines = disorderLines(
    generated,
    spec.disorderFraction,
    spec.disorderHours,
    spec.seed,
    spec.disorderAccounts ?? false,
  );
  const file = join(dir, 'workload.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const tenantsFile = join(dir, 'tenants.json');
  writeFileSync(tenantsFile, `${JSON.stringify({ tenants: COMPARE_TENANTS }, null, 2)}\n`);
  return { file, tenantsFile, lines };
}
