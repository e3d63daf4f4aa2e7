// The small chaos run of `npm test` (the full one is `npm run chaos`): a generated workload is
// ingested in chunks while each processor (sessionizer, enricher, billing) and the sink is killed
// with SIGKILL at a random moment and restarted, and the warehouse is unreachable for 8 s (a TCP
// proxy in front of the shared test warehouse is cut); after the drain every cs.* view must equal
// the reference.
//
// NOTE: no broker restart here: the test stack's one broker is shared by the other test files
// running in parallel, which would fail. `npm run chaos` restarts the broker of its own stack.
import { describe, expect, it } from 'vitest';
import { testServices } from '@cs/infra/testing';
import { PROCESSORS, runChaos } from '../chaos/run.js';

describe('the pipeline under chaos', () => {
  it('shows exactly the reference in every cs.* view after kill -9 of every service and a warehouse outage', async () => {
    const lines: string[] = [];
    const result = await runChaos({
      // ≈ 2,500 events: 6 accounts per tenant (a hierarchy cycle attempt), users moving accounts.
      spec: {
        seed: 2,
        accounts: 6,
        users: 40,
        days: 7,
        start: '2026-01-01',
        lateFraction: 0,
        duplicateFraction: 0.05,
        badFraction: 0,
        disorderFraction: 0.1,
        disorderHours: 12,
      },
      services: testServices(),
      killsPerService: 1,
      warehouseOutageMs: 8000,
      faultDelayMs: 2000,
      scheduleSeed: Date.now() % 1_000_000,
      drainTimeoutMs: 180_000,
      log: (line) => {
        lines.push(line);
        process.stderr.write(`chaos: ${line}\n`);
      },
    });
    const log = lines.join('\n');
    for (const service of PROCESSORS) {
      expect(log, log).toMatch(new RegExp(`kill -9 ${service} \\(pid \\d+\\)`));
      expect(log, log).toMatch(new RegExp(`${service} restarted → pid \\d+`));
    }
    expect(log, log).toMatch(/warehouse reachable again/);
    expect(result.diffs.length).toBeGreaterThan(10);
    expect(result.matches, `${log}\n${result.report}`).toBe(true);
  }, 300_000);
});
