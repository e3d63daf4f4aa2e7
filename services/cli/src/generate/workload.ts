import { planBilling } from './billing.js';
import { tenantName } from './catalog.js';
import { Delivery } from './delivery.js';
import type { DeliveryFractions, DeliveryStats, UsageRenderer } from './delivery.js';
import { buildHierarchy, renderAccountRecords } from './hierarchy.js';
import { planTickets } from './support.js';
import { TenantStream, makeWindow } from './tenant-stream.js';
import type { TimedLine } from './tenant-stream.js';
import { DAY_MS, MINUTE_MS } from './timestamps.js';
import { UsageGenerator } from './usage.js';
import { buildUsers, renderUserRecords } from './users.js';

export interface WorkloadOptions {
  seed: number;
  tenants: number;
  /** Names for the first tenants (the rest: acme, globex, t3, …); each must match the tenant pattern. */
  tenantNames?: readonly string[];
  /** Per tenant. */
  accounts: number;
  /** Per tenant. */
  users: number;
  days: number;
  /** UTC midnight of the first day. */
  startMs: number;
  /** The tenants' session timeout; some gaps are exactly this long. */
  timeoutMinutes: number;
  fractions: DeliveryFractions;
}

interface TenantPlan {
  stream: TenantStream;
  /** Entity records sorted by ts, released day by day through `next`. */
  entities: TimedLine[];
  next: number;
  usage: UsageGenerator;
}

function planTenant(options: WorkloadOptions, index: number): TenantPlan {
  const window = makeWindow(options.startMs, options.days);
  const stream = new TenantStream(
    index,
    options.tenantNames?.[index] ?? tenantName(index),
    options.seed,
  );
  const hierarchy = buildHierarchy(stream, options.accounts, window);
  const users = buildUsers(stream, options.users, hierarchy.accounts, window);
  // Billing runs before the account records are rendered: it sets each account's renewalDate.
  const billing = planBilling(stream, hierarchy.accounts, window);
  const entities = [
    ...renderAccountRecords(stream, hierarchy, window),
    ...renderUserRecords(stream, users, hierarchy.accounts, window),
    ...billing,
    ...planTickets(stream, hierarchy.accounts, users, window),
  ].sort((a, b) => a.ts - b.ts);
  const usage = new UsageGenerator(
    stream,
    users,
    hierarchy.accounts,
    options.timeoutMinutes * MINUTE_MS,
  );
  return { stream, entities, next: 0, usage };
}

/**
 * The whole workload as batches of NDJSON lines in file order: each arrival day in chunks (then
 * the stragglers that arrive after the window). Pure and synchronous: the caller decides where
 * the lines go, and `stats` is complete once the iteration ends.
 */
export class Workload {
  private readonly delivery: Delivery;

  constructor(private readonly options: WorkloadOptions) {
    this.delivery = new Delivery(options.startMs, options.fractions);
  }

  get stats(): Readonly<DeliveryStats> {
    return this.delivery.stats;
  }

  *batches(): Generator<string[], void, undefined> {
    const { options, delivery } = this;
    const tenants = Array.from({ length: options.tenants }, (_, i) => planTenant(options, i));
    const render: UsageRenderer = (tenant, user, ts, id, code) =>
      tenants[tenant]?.usage.render(user, ts, id, code) ?? '';
    for (let day = 0; day < options.days; day++) {
      const dayStart = options.startMs + day * DAY_MS;
      const dayEnd = dayStart + DAY_MS;
      for (const tenant of tenants) {
        const { stream, entities } = tenant;
        for (let entity = entities[tenant.next]; entity && entity.ts < dayEnd;) {
          delivery.push(stream, entity.ts, entity.line);
          tenant.next += 1;
          entity = entities[tenant.next];
        }
        tenant.usage.generateDay(dayStart, (user, ts, id, code) =>
          delivery.pushUsage(stream, user, ts, id, code),
        );
      }
      yield* delivery.take(day, render);
    }
    for (const day of delivery.pendingDays()) yield* delivery.take(day, render);
  }
}
