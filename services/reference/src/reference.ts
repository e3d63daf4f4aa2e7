/** `computeReference`: every `cs.*` view, computed in memory from NDJSON lines. */
import {
  accountDailyActivity,
  accountDailyActivityRollup,
  dailyActivity,
  monthlyActivity,
  userTimeByDay,
  type AccountDailyActivityRow,
  type DailyActivityRow,
  type MonthlyActivityRow,
} from './activity.js';
import {
  accountActivity,
  userActivity,
  type AccountActivityRow,
  type UserActivityRow,
} from './activity-rank.js';
import { Directory, type AccountRow, type UserRow } from './directory.js';
import { accountFinancials, type AccountFinancialsRow } from './financials.js';
import type { RefusedLink } from './hierarchy.js';
import { mrrMonthly, mrrMovements, type MrrMonthlyRow, type MrrMovement } from './revenue.js';
import { sessionizeTenant, type SessionizedTenant, type SessionRow } from './sessions.js';
import { ticketAge, type TicketAgeRow } from './support.js';
import { FactsCollector, type TenantFacts, type TenantSettings } from './tenant-facts.js';
import { featureUsage, moduleUsage, type FeatureUsageRow, type ModuleUsageRow } from './usage.js';
import { validateLine } from './validate-line.js';

export interface ReferenceOptions {
  /** `YYYY-MM-DD`: the last month of `mrr_monthly`. */
  readonly asOf: string;
}

export interface RefusedLine {
  readonly line: number;
  readonly reason: string;
}

export interface Reference {
  /** Tenants with at least one accepted record. */
  readonly tenants: readonly string[];
  /** Lines §1 refuses: not reference input (the pipeline refuses them at the edge). */
  readonly refused_lines: readonly RefusedLine[];
  /** Parent links refused because they would close a cycle. */
  readonly refused_links: ReadonlyArray<RefusedLink & { readonly tenant: string }>;
  /**
   * Records that pass §1 but cannot be processed: none exist by the contract's rules, so 0 (a
   * pipeline that reports cycle refusals as dead letters shows `refused_links.length` instead).
   */
  readonly dead_letters: number;
  readonly daily_activity: DailyActivityRow[];
  readonly monthly_activity: MonthlyActivityRow[];
  readonly account_daily_activity: AccountDailyActivityRow[];
  readonly account_daily_activity_rollup: AccountDailyActivityRow[];
  readonly sessions: SessionRow[];
  readonly accounts: AccountRow[];
  readonly users: UserRow[];
  readonly mrr_monthly: MrrMonthlyRow[];
  module_usage(tenant: string, dateFrom: string, dateTo: string): ModuleUsageRow[];
  feature_usage(tenant: string, dateFrom: string, dateTo: string): FeatureUsageRow[];
  user_activity(tenant: string, asOf: string): UserActivityRow[];
  account_activity(tenant: string, asOf: string): AccountActivityRow[];
  account_financials(tenant: string, asOf: string): AccountFinancialsRow[];
  ticket_age(tenant: string, asOf: string): TicketAgeRow[];
}

interface TenantModel {
  readonly facts: TenantFacts;
  readonly timed: SessionizedTenant;
  readonly directory: Directory;
  readonly productUsers: Map<string, string[]>;
  readonly timeByDay: Map<string, Map<string, number>>;
  readonly movements: MrrMovement[];
  readonly financialAccounts: Set<string>;
}

function modelTenant(facts: TenantFacts): TenantModel {
  const directory = new Directory(facts);
  const financialAccounts = directory.accountIds();
  for (const { record } of facts.subscriptionActions) financialAccounts.add(record.accountId);
  for (const invoice of facts.invoices.values()) financialAccounts.add(invoice.accountId);
  // Ancestors too: their roll-up figures exist even when they have no figures of their own.
  for (const accountId of [...financialAccounts]) {
    for (const ancestor of facts.hierarchy.selfAndAncestors(accountId))
      financialAccounts.add(ancestor);
  }
  const timed = sessionizeTenant(facts);
  return {
    facts,
    timed,
    directory,
    productUsers: directory.productUsers(),
    timeByDay: userTimeByDay(timed),
    movements: mrrMovements(facts),
    financialAccounts,
  };
}

export function computeReference(
  lines: Iterable<string>,
  tenants: Readonly<Record<string, TenantSettings>>,
  options: ReferenceOptions,
): Reference {
  const collector = new FactsCollector(tenants);
  const refusedLines: RefusedLine[] = [];
  let lineNumber = 0;
  for (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const outcome = validateLine(line);
    if (outcome.kind === 'ok') collector.add(outcome.event, lineNumber);
    else refusedLines.push({ line: lineNumber, reason: outcome.reason });
  }
  const models = new Map<string, TenantModel>();
  for (const facts of collector.tenants()) models.set(facts.tenant, modelTenant(facts));
  const all = [...models.values()];
  const model = (tenant: string): TenantModel | undefined => models.get(tenant);

  return {
    tenants: [...models.keys()],
    refused_lines: refusedLines,
    refused_links: all.flatMap(({ facts }) =>
      facts.hierarchy.refusedLinks().map((link) => ({ tenant: facts.tenant, ...link })),
    ),
    dead_letters: 0,
    daily_activity: all.flatMap(({ facts, timed }) => dailyActivity(facts, timed)),
    monthly_activity: all.flatMap(({ facts, timed }) => monthlyActivity(facts, timed)),
    account_daily_activity: all.flatMap(({ facts, timed }) => accountDailyActivity(facts, timed)),
    account_daily_activity_rollup: all.flatMap(({ facts, timed }) =>
      accountDailyActivityRollup(facts, timed),
    ),
    sessions: all.flatMap(({ timed }) => timed.sessions),
    accounts: all.flatMap(({ directory }) => directory.accounts()),
    users: all.flatMap(({ directory }) => directory.users()),
    mrr_monthly: all.flatMap(({ facts, movements }) =>
      mrrMonthly(facts.tenant, movements, options.asOf),
    ),
    module_usage(tenant, dateFrom, dateTo) {
      const m = model(tenant);
      return m === undefined
        ? []
        : moduleUsage(m.facts, m.timed, m.productUsers, { dateFrom, dateTo });
    },
    feature_usage(tenant, dateFrom, dateTo) {
      const m = model(tenant);
      return m === undefined ? [] : featureUsage(m.facts, m.productUsers, { dateFrom, dateTo });
    },
    user_activity(tenant, asOf) {
      const m = model(tenant);
      return m === undefined ? [] : userActivity(m.directory, m.timeByDay, asOf);
    },
    account_activity(tenant, asOf) {
      const m = model(tenant);
      return m === undefined ? [] : accountActivity(userActivity(m.directory, m.timeByDay, asOf));
    },
    account_financials(tenant, asOf) {
      const m = model(tenant);
      return m === undefined
        ? []
        : accountFinancials(m.facts, m.movements, m.financialAccounts, asOf);
    },
    ticket_age(tenant, asOf) {
      const m = model(tenant);
      return m === undefined ? [] : ticketAge(m.facts, asOf);
    },
  };
}
