import { validateEvent, formatErrors } from '@cs/schemas';
import { describe, expect, it } from 'vitest';
import { Workload, type WorkloadOptions } from './workload.js';

// The generator writes canonical NDJSON from its own record shapes; this guards that every line it
// means to be valid passes the one validator every producer path uses (@cs/schemas), and that the
// lines it means to be bad are refused by it.
function options(bad: number): WorkloadOptions {
  return {
    seed: 7,
    tenants: 2,
    accounts: 10,
    users: 40,
    days: 10,
    startMs: Date.UTC(2026, 6, 1),
    timeoutMinutes: 30,
    fractions: { late: 0.05, duplicate: 0.03, bad },
  };
}

function lines(opts: WorkloadOptions): string[] {
  return [...new Workload(opts).batches()]
    .flat()
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line !== '');
}

function verdict(line: string): { ok: true } | { ok: false; why: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error: unknown) {
    return { ok: false, why: `invalid JSON: ${String(error)}` };
  }
  const result = validateEvent(parsed);
  return result.ok ? { ok: true } : { ok: false, why: formatErrors(result.errors) };
}

describe('generated workloads against the canonical validator', () => {
  it('every line of a workload without bad lines is a valid canonical event', () => {
    const all = lines(options(0));
    expect(all.length).toBeGreaterThan(1000);
    const refused = all
      .map((line) => ({ line, result: verdict(line) }))
      .filter(({ result }) => !result.ok);
    expect(refused.slice(0, 5)).toEqual([]);
  });

  it('with --bad-fraction, the validator refuses roughly that share of lines and accepts the rest', () => {
    const all = lines(options(0.02));
    const refused = all.filter((line) => !verdict(line).ok).length;
    expect(refused).toBeGreaterThan(0);
    expect(refused / all.length).toBeGreaterThan(0.005);
    expect(refused / all.length).toBeLessThan(0.05);
  });
});
