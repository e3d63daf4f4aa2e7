// `npm run chaos`: a generated workload (≥ 1 million events by default) ingested into a fresh
// pipeline while every service (sessionizer, enricher, billing, sink) is killed with SIGKILL at
// random moments several times and restarted, the Kafka broker is restarted once and the warehouse
// is down for 10 s; after the drain every cs.* view is compared with @cs/reference (scripts/compare).
//
//   npm run chaos [-- --users 55000 --days 2 --accounts 200 --seed 1 --kills 3 \
//     --fault-delay-seconds 5 --warehouse-outage-seconds 10 --broker-outage-seconds 0 --schedule-seed N \
//     --duplicate-fraction 0.01 --disorder-fraction 0.1 --disorder-hours 12 --no-broker-restart]
//
// --users is per tenant (two tenants: cmp1 on UTC, cmp2 on America/New_York). Runs on its own
// stack profile `chaos` (Kafka 49092, registry 49081, warehouse 49123; CS_*_PORT override them),
// whose broker and warehouse process it stops and starts; what it started is stopped at the end.
// Late fraction 0 and bounded disorder, as the comparator (scripts/compare/README.md) explains.
// Exit code 0 when every view matches, 1 on a mismatch, 2 on an error.
import { parseArgs } from 'node:util';
import { stackDown, stackProfile, stackUp, type ServiceName } from '@cs/infra';
import { viewMatches } from './compare/diff.js';
import { runChaos, type Restartable } from './chaos/run.js';

const CHAOS_PORTS: Record<string, string> = {
  CS_KAFKA_PORT: '49092',
  CS_KAFKA_CONTROLLER_PORT: '49093',
  CS_REGISTRY_PORT: '49081',
  CS_REGISTRY_MANAGEMENT_PORT: '49091',
  CS_WAREHOUSE_PORT: '49123',
};

const log = (line: string): void => void process.stdout.write(`chaos: ${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(
        [
          'users',
          'days',
          'accounts',
          'seed',
          'kills',
          'fault-delay-seconds',
          'warehouse-outage-seconds',
          'broker-outage-seconds',
          'schedule-seed',
          'duplicate-fraction',
          'disorder-fraction',
          'disorder-hours',
          'limit',
        ].map((name) => [name, { type: 'string' as const }]),
      ),
      'no-broker-restart': { type: 'boolean' },
    },
    allowPositionals: false,
  });
  const flags = values as Record<string, string | undefined>;
  const num = (name: string, fallback: number): number => {
    const raw = flags[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new Error(`--${name} must be a number ≥ 0, got '${raw}'`);
    }
    return n;
  };

  const profile = stackProfile('chaos', { ...CHAOS_PORTS, ...process.env });
  const stackLog = (line: string): void => log(`stack: ${line}`);
  const up = await stackUp(profile, { log: stackLog });
  const restartable = (service: ServiceName): Restartable => ({
    stop: async () => {
      await stackDown(profile, { services: [service], log: stackLog });
    },
    start: async () => {
      await stackUp(profile, { services: [service], log: stackLog });
    },
  });
  try {
    const scheduleSeed = num('schedule-seed', Date.now() % 1_000_000);
    log(`schedule seed ${String(scheduleSeed)} (--schedule-seed repeats this run's schedule)`);
    const result = await runChaos({
      spec: {
        seed: num('seed', 1),
        accounts: num('accounts', 200),
        // ≈ 4.4 usage events per user and day: 110k users over 2 days are ≈ 1.08 M events.
        users: num('users', 55_000),
        days: num('days', 2),
        start: '2026-01-01',
        lateFraction: 0,
        duplicateFraction: num('duplicate-fraction', 0.01),
        badFraction: 0,
        disorderFraction: num('disorder-fraction', 0.1),
        disorderHours: num('disorder-hours', 12),
      },
      services: { ...up.urls, source: 'local' },
      killsPerService: Math.max(1, num('kills', 3)),
      warehouseOutageMs: num('warehouse-outage-seconds', 10) * 1000,
      warehouse: restartable('warehouse'),
      ...(values['no-broker-restart'] === true ? {} : { broker: restartable('kafka') }),
      brokerOutageMs: num('broker-outage-seconds', 0) * 1000,
      faultDelayMs: num('fault-delay-seconds', 5) * 1000,
      scheduleSeed,
      drainTimeoutMs: 1_800_000,
      log,
      limit: num('limit', 5),
    });
    process.stdout.write(`\n${result.report}\n`);
    const differing = result.diffs.filter((diff) => !viewMatches(diff));
    process.stdout.write(
      `\nchaos: ${String(result.lines)} events, ${String(result.actions.length)} steps, ` +
        `${String(result.selfExits.length)} exits on their own` +
        (result.selfExits.length > 0 ? ` (${result.selfExits.join(', ')})` : '') +
        `, drained in ${result.drainSeconds.toFixed(1)} s\n` +
        (result.matches
          ? `chaos: every view matches the reference (${String(result.diffs.length)} compared)\n`
          : `chaos: MISMATCH: ${String(differing.length)} of ${String(result.diffs.length)} views differ\n`),
    );
    return result.matches ? 0 : 1;
  } finally {
    if (up.started.length > 0)
      await stackDown(profile, { services: [...up.started], log: stackLog });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
