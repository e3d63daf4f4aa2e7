import { UsageError, fractionFlag, integerFlag, parseCommandArgs } from '../command.js';
import type { WorkloadOptions } from '../generate/workload.js';
import { parseUtcDate } from '../generate/timestamps.js';

export interface GenerateOptions {
  workload: WorkloadOptions;
  /** A file path, or `-` for stdout. */
  out: string;
  quiet: boolean;
}

export const GENERATE_DEFAULTS = {
  seed: 1,
  tenants: 2,
  accounts: 20,
  users: 100,
  days: 30,
  start: '2026-01-01',
  timeoutMinutes: 30,
  lateFraction: 0.02,
  duplicateFraction: 0.01,
  badFraction: 0,
} as const;

const MAX_TENANTS = 10_000;

export function parseGenerateArgs(argv: readonly string[]): GenerateOptions {
  const { values } = parseCommandArgs(
    argv,
    {
      seed: { type: 'string' },
      tenants: { type: 'string' },
      'tenant-names': { type: 'string' },
      accounts: { type: 'string' },
      users: { type: 'string' },
      days: { type: 'string' },
      start: { type: 'string' },
      out: { type: 'string', short: 'o' },
      'timeout-minutes': { type: 'string' },
      'late-fraction': { type: 'string' },
      'duplicate-fraction': { type: 'string' },
      'bad-fraction': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
    false,
  );
  const d = GENERATE_DEFAULTS;
  const start = values.start ?? d.start;
  const startMs = parseUtcDate(start);
  if (startMs === undefined)
    throw new UsageError(`--start must be a date YYYY-MM-DD, got '${start}'`);
  const tenants = integerFlag('tenants', values.tenants, d.tenants, 1);
  if (tenants > MAX_TENANTS)
    throw new UsageError(`--tenants must be ≤ ${MAX_TENANTS}, got ${tenants}`);
  const tenantNames = values['tenant-names']?.split(',') ?? [];
  const badName = tenantNames.find((name) => !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name));
  if (badName !== undefined)
    throw new UsageError(`--tenant-names: '${badName}' must match ^[a-z0-9][a-z0-9_-]{0,62}$`);
  if (new Set(tenantNames).size !== tenantNames.length)
    throw new UsageError('--tenant-names: a name is repeated');
  const seed = integerFlag('seed', values.seed, d.seed);
  if (seed > 0xffffffff) throw new UsageError(`--seed must be < 2^32, got ${seed}`);
  return {
    workload: {
      seed,
      tenants: Math.max(tenants, tenantNames.length),
      tenantNames,
      accounts: integerFlag('accounts', values.accounts, d.accounts, 1),
      users: integerFlag('users', values.users, d.users, 0),
      days: integerFlag('days', values.days, d.days, 1),
      startMs,
      timeoutMinutes: integerFlag(
        'timeout-minutes',
        values['timeout-minutes'],
        d.timeoutMinutes,
        1,
      ),
      fractions: {
        late: fractionFlag('late-fraction', values['late-fraction'], d.lateFraction),
        duplicate: fractionFlag(
          'duplicate-fraction',
          values['duplicate-fraction'],
          d.duplicateFraction,
        ),
        bad: fractionFlag('bad-fraction', values['bad-fraction'], d.badFraction),
      },
    },
    out: values.out ?? '-',
    quiet: values.quiet ?? false,
  };
}
