/**
 * Prints one reference view as JSON lines, for debugging an e2e mismatch:
 *
 *   npm run reference -w @cs/reference -- FILE --tenants config/tenants.json --as-of 2026-07-31 \
 *     --view daily_activity [--tenant acme] [--from 2026-07-01] [--to 2026-07-31]
 *
 * Parameterised views take `--tenant` (default: every tenant in the file); module/feature usage
 * take `--from`/`--to` (default: as-of − 29 … as-of). Refused lines go to stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { addDays } from './local-time.js';
import { computeReference, type Reference } from './reference.js';
import { parseTenantsConfig } from './tenants-config.js';

const FLAT_VIEWS = [
  'daily_activity',
  'monthly_activity',
  'account_daily_activity',
  'account_daily_activity_rollup',
  'sessions',
  'accounts',
  'users',
  'mrr_monthly',
] as const;
const PARAMETERISED_VIEWS = [
  'module_usage',
  'feature_usage',
  'user_activity',
  'account_activity',
  'account_financials',
  'ticket_age',
] as const;
const VIEWS: readonly string[] = [
  ...FLAT_VIEWS,
  ...PARAMETERISED_VIEWS,
  'dead_letters',
  'refused_links',
];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function usage(message: string): never {
  process.stderr.write(`${message}\nviews: ${VIEWS.join(', ')}\n`);
  process.exit(2);
}

function rowsOf(
  reference: Reference,
  view: string,
  tenants: readonly string[],
  asOf: string,
  from: string,
  to: string,
): unknown[] {
  const flat = FLAT_VIEWS.find((name) => name === view);
  if (flat !== undefined) return reference[flat];
  switch (view) {
    case 'dead_letters':
      return [{ count: reference.dead_letters }];
    case 'refused_links':
      return [...reference.refused_links];
    case 'module_usage':
      return tenants.flatMap((tenant) =>
        reference.module_usage(tenant, from, to).map((row) => ({ tenant, ...row })),
      );
    case 'feature_usage':
      return tenants.flatMap((tenant) =>
        reference.feature_usage(tenant, from, to).map((row) => ({ tenant, ...row })),
      );
    case 'user_activity':
      return tenants.flatMap((tenant) =>
        reference.user_activity(tenant, asOf).map((row) => ({ tenant, ...row })),
      );
    case 'account_activity':
      return tenants.flatMap((tenant) =>
        reference.account_activity(tenant, asOf).map((row) => ({ tenant, ...row })),
      );
    case 'account_financials':
      return tenants.flatMap((tenant) =>
        reference.account_financials(tenant, asOf).map((row) => ({ tenant, ...row })),
      );
    case 'ticket_age':
      return tenants.flatMap((tenant) =>
        reference.ticket_age(tenant, asOf).map((row) => ({ tenant, ...row })),
      );
    default:
      return usage(`unknown view ${view}`);
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tenants: { type: 'string', default: 'config/tenants.json' },
    'as-of': { type: 'string' },
    view: { type: 'string' },
    tenant: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  },
});
const file = positionals[0];
const asOf = values['as-of'];
const view = values.view;
if (file === undefined)
  usage('usage: reference FILE --as-of YYYY-MM-DD --view VIEW [--tenants FILE]');
if (asOf === undefined || !DATE.test(asOf)) usage('--as-of YYYY-MM-DD is required');
if (view === undefined || !VIEWS.includes(view)) usage(`--view must be one of the views`);

const reference = computeReference(
  readFileSync(file, 'utf8').split('\n'),
  parseTenantsConfig(readFileSync(values.tenants, 'utf8')),
  { asOf },
);
for (const refused of reference.refused_lines) {
  process.stderr.write(`refused line ${refused.line}: ${refused.reason}\n`);
}
const tenants = values.tenant !== undefined ? [values.tenant] : reference.tenants;
const rows = rowsOf(
  reference,
  view,
  tenants,
  asOf,
  values.from ?? addDays(asOf, -29),
  values.to ?? asOf,
);
for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
