// End to end against the reference: small generated workloads (two tenants, one of them not on
// UTC) through the real pipeline, then every cs.* view compared row by row with @cs/reference
// (scripts/compare/). Three seeds, each exercising what the contract says must not change a number:
// out-of-order arrival (usage within the sessionizer's horizon, and account records), duplicates,
// bad lines (refused at the edge, counted) and hierarchy changes with a cycle attempt per tenant
// (the generator adds one from 5 accounts up), which must be refused whatever the arrival order.
// `scripts/compare-reference.ts` runs any seed and size.
import { describe, expect, it } from 'vitest';
import { testServices } from '@cs/infra/testing';
import { runComparison } from '../compare/run.js';
import type { WorkloadSpec } from '../compare/workload.js';

const small = {
  accounts: 5,
  users: 10,
  days: 3,
  start: '2026-01-01',
  lateFraction: 0,
  disorderHours: 12,
} as const;

const runs: ReadonlyArray<{ name: string; spec: WorkloadSpec }> = [
  {
    name: 'seed 2: duplicates, usage and account records out of order',
    spec: {
      ...small,
      seed: 2,
      duplicateFraction: 0.05,
      badFraction: 0,
      disorderFraction: 0.2,
      disorderAccounts: true,
    },
  },
  {
    name: 'seed 3: bad lines and duplicates, in order',
    spec: { ...small, seed: 3, duplicateFraction: 0.05, badFraction: 0.03, disorderFraction: 0 },
  },
  {
    name: 'seed 5: bad lines, duplicates, everything out of order',
    spec: {
      ...small,
      seed: 5,
      duplicateFraction: 0.05,
      badFraction: 0.02,
      disorderFraction: 0.3,
      disorderAccounts: true,
    },
  },
];

describe('the pipeline against the reference implementation', () => {
  it.each(runs)(
    '$name: every cs.* view shows exactly the rows the reference computes',
    async ({ spec }) => {
      const result = await runComparison({ spec, services: testServices() });
      expect(result.diffs.length).toBeGreaterThan(10);
      expect(result.matches, result.report).toBe(true);
      // The workload did exercise a cycle attempt (refused in both), and bad lines when asked.
      expect(result.reference.refused_links.length).toBeGreaterThan(0);
      const refusedAtEdge = /refused:\s+([\d,]+)/.exec(result.ingestSummary)?.[1];
      expect(Number(refusedAtEdge?.replaceAll(',', ''))).toBe(
        result.reference.refused_lines.length,
      );
      if (spec.badFraction > 0) expect(result.reference.refused_lines.length).toBeGreaterThan(0);
    },
    240_000,
  );
});
