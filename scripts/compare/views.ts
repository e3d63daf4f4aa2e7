// Every cs.* view as a (shape, view rows, reference rows) triple. Flat views are read for the
// workload's tenants; parameterised views once per tenant and window, with a `tenant` column added
// on both sides so one diff covers all tenants.
import type { Reference } from '@cs/reference';
import { diffView, type ViewDiff, type ViewShape } from './diff.js';
import type { ColumnKind } from './normalise.js';

/** Runs a query (`{db}` is the analyst database) and returns JSONEachRow rows. */
export type QueryRows = (
  query: string,
  params: Record<string, unknown>,
) => Promise<Array<Record<string, unknown>>>;

export interface CompareWindow {
  /** First day of the workload: the start of the long usage window. */
  readonly from: string;
  /** The as-of date of the parameterised views and the last month of mrr_monthly. */
  readonly asOf: string;
}

const ints = (...columns: string[]): Record<string, ColumnKind> =>
  Object.fromEntries(columns.map((column) => [column, 'int' as const]));
const moneys = (...columns: string[]): Record<string, ColumnKind> =>
  Object.fromEntries(columns.map((column) => [column, 'money' as const]));

const FINANCIAL_FIGURES = [
  'mrr',
  'lifetime_revenue',
  'recurring_invoice_revenue',
  'non_recurring_invoice_revenue',
  'invoice_revenue',
  'cashflow',
];

const FLAT: ReadonlyArray<ViewShape & { readonly view: keyof Reference }> = [
  {
    name: 'daily_activity',
    view: 'daily_activity',
    key: ['tenant', 'day'],
    columns: {
      tenant: 'text',
      day: 'day',
      ...ints('active_users', 'active_accounts', 'sessions', 'events', 'time_ms'),
      ...ints('time_per_active_user_ms', 'time_per_active_account_ms'),
    },
  },
  {
    name: 'monthly_activity',
    view: 'monthly_activity',
    key: ['tenant', 'day'],
    columns: {
      tenant: 'text',
      day: 'day',
      ...ints('active_users', 'active_accounts', 'time_ms'),
      ...ints('time_per_active_user_ms', 'time_per_active_account_ms'),
    },
  },
  ...(['account_daily_activity', 'account_daily_activity_rollup'] as const).map((view) => ({
    name: view,
    view,
    key: ['tenant', 'account_id', 'day'],
    columns: {
      tenant: 'text',
      account_id: 'text',
      day: 'day',
      ...ints('active_users', 'events', 'time_ms'),
    } satisfies Record<string, ColumnKind>,
  })),
  {
    // session_id is the pipeline's own: sessions are keyed by (tenant, user_id, started_at).
    name: 'sessions',
    view: 'sessions',
    key: ['tenant', 'user_id', 'started_at'],
    columns: {
      tenant: 'text',
      user_id: 'text',
      account_id: 'text',
      day: 'day',
      ...ints('started_at', 'ended_at', 'duration_ms', 'events'),
      module_time_ms: 'module-map',
    },
  },
  {
    name: 'accounts',
    view: 'accounts',
    key: ['tenant', 'account_id'],
    columns: {
      tenant: 'text',
      account_id: 'text',
      name: 'text',
      parent_id: 'text',
      join_date: 'day',
      renewal_date: 'day',
      source: 'text',
      first_seen: 'day',
      last_seen: 'day',
      product_users: 'int',
    },
  },
  {
    name: 'users',
    view: 'users',
    key: ['tenant', 'user_id'],
    columns: {
      tenant: 'text',
      user_id: 'text',
      account_id: 'text',
      email: 'text',
      role: 'text',
      first_seen: 'day',
      last_seen: 'day',
    },
  },
  {
    name: 'mrr_monthly',
    view: 'mrr_monthly',
    key: ['tenant', 'month'],
    columns: {
      tenant: 'text',
      month: 'day',
      ...moneys('mrr', 'arpa', 'clv', 'new_mrr', 'expansion_mrr', 'contraction_mrr'),
      ...moneys('churn_mrr', 'reactivation_mrr'),
      ...ints('active_accounts', 'accounts_at_start', 'churned_accounts'),
      churn_rate: 'float',
    },
  },
];

type Parameterised =
  | 'module_usage'
  | 'feature_usage'
  | 'user_activity'
  | 'account_activity'
  | 'account_financials'
  | 'ticket_age';

interface ParameterisedShape {
  readonly view: Parameterised;
  readonly key: readonly string[];
  readonly columns: Readonly<Record<string, ColumnKind>>;
  readonly zeroRowsOptional?: boolean;
  /** `window` views take (date_from, date_to), the others (as_of). */
  readonly window: boolean;
}

const PARAMETERISED: readonly ParameterisedShape[] = [
  {
    view: 'module_usage',
    window: true,
    key: ['tenant', 'account_id', 'product', 'module'],
    columns: {
      ...{ tenant: 'text', account_id: 'text', product: 'text', module: 'text' },
      ...ints('total_time_ms', 'total_days_used', 'users', 'non_users', 'last_used'),
      ...ints('time_per_user_per_day_used_ms'),
    },
  },
  {
    view: 'feature_usage',
    window: true,
    key: ['tenant', 'account_id', 'product', 'module', 'feature'],
    columns: {
      ...{ tenant: 'text', account_id: 'text', product: 'text', module: 'text', feature: 'text' },
      ...ints('total_count', 'total_days_used', 'users', 'non_users', 'last_used'),
      count_per_user_per_day_used: 'float',
    },
  },
  {
    view: 'user_activity',
    window: false,
    key: ['tenant', 'user_id'],
    columns: {
      ...{ tenant: 'text', user_id: 'text', account_id: 'text' },
      ...{ activity_ms: 'int', activity_rank: 'float' },
    },
  },
  {
    view: 'account_activity',
    window: false,
    key: ['tenant', 'account_id'],
    columns: { tenant: 'text', account_id: 'text', activity_ms: 'int', activity_rank: 'float' },
  },
  {
    view: 'account_financials',
    window: false,
    key: ['tenant', 'account_id'],
    zeroRowsOptional: true,
    columns: {
      ...{ tenant: 'text', account_id: 'text' },
      ...moneys(...FINANCIAL_FIGURES, ...FINANCIAL_FIGURES.map((figure) => `${figure}_rollup`)),
    },
  },
  {
    view: 'ticket_age',
    window: false,
    key: ['tenant', 'account_id'],
    columns: {
      ...{ tenant: 'text', account_id: 'text', avg_age_days: 'float' },
      ...ints('tickets', 'open_tickets'),
    },
  },
];

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function referenceRows(
  reference: Reference,
  shape: ParameterisedShape,
  tenant: string,
  from: string,
  to: string,
): object[] {
  const rows: readonly object[] = shape.window
    ? reference[shape.view as 'module_usage' | 'feature_usage'](tenant, from, to)
    : reference[shape.view as Exclude<Parameterised, 'module_usage' | 'feature_usage'>](tenant, to);
  return rows.map((row) => ({ tenant, ...row }));
}

/** Compares every view of `tenants` between the warehouse and the reference. */
export async function compareViews(
  query: QueryRows,
  reference: Reference,
  tenants: readonly string[],
  window: CompareWindow,
): Promise<ViewDiff[]> {
  const diffs: ViewDiff[] = [];
  const mine = new Set(tenants);
  for (const shape of FLAT) {
    // mrr_monthly's reference stops at the as-of month (README choice 5); so does the comparison.
    const upTo = shape.view === 'mrr_monthly' ? ' AND month <= toStartOfMonth({as_of:Date})' : '';
    const viewRows = await query(
      `SELECT * FROM {db}.${shape.view} WHERE tenant IN {tenants:Array(String)}${upTo}`,
      { tenants: [...tenants], as_of: window.asOf },
    );
    const refRows = (reference[shape.view] as ReadonlyArray<{ tenant: string }>).filter((row) =>
      mine.has(row.tenant),
    );
    diffs.push(diffView(shape, viewRows, refRows));
  }
  // The whole workload and its last 3 days (a window that cuts sessions' users and days); as-of
  // views at the workload's middle day too (users not yet known then, tickets still open).
  const windows: Array<[string, string]> = [
    [window.from, window.asOf],
    [addDays(window.asOf, -2), window.asOf],
  ];
  const middle = addDays(
    window.from,
    Math.floor((Date.parse(window.asOf) - Date.parse(window.from)) / 86_400_000 / 2),
  );
  const asOfs: Array<[string, string]> = [...new Set([middle, window.asOf])].map((day) => [
    day,
    day,
  ]);
  for (const param of PARAMETERISED) {
    const shape: ViewShape = { ...param, name: param.view };
    for (const [from, to] of param.window ? windows : asOfs) {
      const args = param.window
        ? 'tenant = {tenant:String}, date_from = {from:Date}, date_to = {to:Date}'
        : 'tenant = {tenant:String}, as_of = {to:Date}';
      const viewRows: object[] = [];
      const refRows: object[] = [];
      for (const tenant of tenants) {
        const rows = await query(`SELECT * FROM {db}.${param.view}(${args})`, { tenant, from, to });
        viewRows.push(...rows.map((row) => ({ tenant, ...row })));
        refRows.push(...referenceRows(reference, param, tenant, from, to));
      }
      const name = param.window ? `${param.view}(${from} … ${to})` : `${param.view}(${to})`;
      diffs.push(diffView({ ...shape, name }, viewRows, refRows));
    }
  }
  return diffs;
}
