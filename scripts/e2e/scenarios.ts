// Hand-made canonical events (CONTRACT §1) for the end-to-end tests, one tenant per scenario so
// the scenarios never share a figure. The expected figures are worked out by hand in the tests.
//
// NOTE: the sessionizer holds each user's newest local day and the day before, and a partition's
// watermark (newest ts of any tenant) releases older days; an event older than the horizon is
// `late` (no session time). Scenarios therefore sit on disjoint dates and are published in global
// ts order, except where disorder is the point (scenario f, on the latest date, within one day).

export type CanonicalJson = Record<string, unknown> & { type: string; id: string; tenant: string };

export const T = {
  sessions: 'e2e-sessions',
  mau: 'e2e-mau',
  usage: 'e2e-usage',
  annual: 'e2e-annual',
  arpa: 'e2e-arpa',
  churn: 'e2e-churn',
  hierarchy: 'e2e-hierarchy',
  inOrder: 'e2e-in-order',
  disorder: 'e2e-disorder',
} as const;

export const GATEWAY_KEY = 'e2e-gateway-write-key-0123456789';

let counter = 0;
const nextId = (prefix: string): string => `${prefix}-${String((counter += 1))}`;

export function usage(
  tenant: string,
  ts: string,
  accountId: string,
  userId: string,
  fields: Record<string, unknown> = {},
): CanonicalJson {
  return { type: 'usage', id: nextId('u'), tenant, ts, accountId, userId, ...fields };
}

/** a. The contract's two session examples (sent through the gateway). */
export function sessionEvents(): CanonicalJson[] {
  const t = T.sessions;
  return [
    usage(t, '2026-01-05T09:00:00.000Z', 'acc-1', 'u1', { module: 'Reports' }),
    usage(t, '2026-01-05T09:10:00.000Z', 'acc-1', 'u1', { module: 'Billing' }),
    usage(t, '2026-01-05T09:25:00.000Z', 'acc-1', 'u1', { module: 'Billing' }),
    usage(t, '2026-01-05T10:30:00.000Z', 'acc-1', 'u1', { module: 'Reports' }),
    usage(t, '2026-01-06T23:30:00.000Z', 'acc-1', 'u2', { module: 'Reports' }),
    usage(t, '2026-01-06T23:50:00.000Z', 'acc-1', 'u2', { module: 'Reports' }),
    usage(t, '2026-01-07T00:05:00.000Z', 'acc-1', 'u2', { module: 'Reports' }),
    usage(t, '2026-01-07T00:10:00.000Z', 'acc-1', 'u2', { module: 'Reports' }),
  ];
}

/** b. MAU(2026-03-31) over d−29 = 03-02 … d: ua (only on d−30 = 03-01) is out, ub is in. */
export function mauEvents(): CanonicalJson[] {
  const t = T.mau;
  return [
    usage(t, '2026-03-01T12:00:00.000Z', 'acc-a', 'ua'),
    usage(t, '2026-03-02T12:00:00.000Z', 'acc-b', 'ub'),
    usage(t, '2026-03-31T12:00:00.000Z', 'acc-c', 'uc'),
  ];
}

/**
 * c. Module `reports` of account acc-u: day 1 ux 10 min, uy 20 min; day 2 ux 30 min. Feature
 * `export` counts 3 + 2 + 1. uz is a product user (a user record) who used nothing.
 */
export function moduleUsageEvents(): CanonicalJson[] {
  const t = T.usage;
  const reports = { product: 'app', module: 'reports' };
  return [
    {
      type: 'user',
      id: nextId('p'),
      tenant: t,
      ts: '2026-03-31T18:00:00.000Z',
      userId: 'uz',
      accountId: 'acc-u',
    },
    usage(t, '2026-04-01T10:00:00.000Z', 'acc-u', 'ux', {
      ...reports,
      feature: 'export',
      count: 3,
    }),
    usage(t, '2026-04-01T10:10:00.000Z', 'acc-u', 'ux', reports),
    usage(t, '2026-04-01T14:00:00.000Z', 'acc-u', 'uy', {
      ...reports,
      feature: 'export',
      count: 2,
    }),
    usage(t, '2026-04-01T14:20:00.000Z', 'acc-u', 'uy', reports),
    usage(t, '2026-04-02T09:00:00.000Z', 'acc-u', 'ux', { ...reports, feature: 'export' }),
    usage(t, '2026-04-02T09:30:00.000Z', 'acc-u', 'ux', reports),
  ];
}

function subscription(
  tenant: string,
  ts: string,
  accountId: string,
  action: 'start' | 'cancel',
  fields: Record<string, unknown> = {},
): CanonicalJson {
  return {
    type: 'subscription',
    id: nextId('s'),
    tenant,
    ts,
    subscriptionId: `sub-${accountId}`,
    accountId,
    action,
    ...fields,
  };
}

/** d. Revenue: an annual plan of 2,000; ARPA of 1, 1, 3, 5, 5; churn and reactivation in June. */
export function revenueEvents(): CanonicalJson[] {
  const monthly = (amount: string) => ({ plan: 'team', amount, currency: 'USD' });
  return [
    subscription(T.annual, '2026-05-10T10:00:00.000Z', 'an1', 'start', {
      plan: 'annual',
      billingPeriodMonths: 12,
      amount: '2000',
      currency: 'USD',
    }),
    ...['1', '1', '3', '5', '5'].map((amount, i) =>
      subscription(T.arpa, '2026-05-03T10:00:00.000Z', `c${String(i)}`, 'start', monthly(amount)),
    ),
    // k4 pays from April, so May starts with one paying account and no churn (rate 0).
    subscription(T.churn, '2026-04-15T10:00:00.000Z', 'k4', 'start', monthly('10')),
    ...['k0', 'k1', 'k2', 'k3'].map((account) =>
      subscription(T.churn, '2026-05-02T10:00:00.000Z', account, 'start', monthly('10')),
    ),
    subscription(T.churn, '2026-06-05T10:00:00.000Z', 'k0', 'cancel'),
    subscription(T.churn, '2026-06-20T10:00:00.000Z', 'k0', 'start', monthly('10')),
  ];
}

export function account(tenant: string, ts: string, accountId: string, parentId: string | null) {
  return { type: 'account', id: nextId('a'), tenant, ts, accountId, name: accountId, parentId };
}

/** e. P ← C ← G with a user each on 07-01, and two tickets of C. The cycle link is sent later. */
export function hierarchyEvents(): CanonicalJson[] {
  const t = T.hierarchy;
  const ticket = (ts: string, ticketId: string, fields: Record<string, unknown>) => ({
    type: 'ticket',
    id: nextId('k'),
    tenant: t,
    ts,
    ticketId,
    accountId: 'C',
    createdAt: ts,
    ...fields,
  });
  return [
    account(t, '2026-06-30T08:00:00.000Z', 'P', null),
    account(t, '2026-06-30T08:01:00.000Z', 'C', 'P'),
    account(t, '2026-06-30T08:02:00.000Z', 'G', 'C'),
    usage(t, '2026-07-01T10:00:00.000Z', 'P', 'up'),
    usage(t, '2026-07-01T10:10:00.000Z', 'P', 'up'),
    usage(t, '2026-07-01T11:00:00.000Z', 'C', 'uc'),
    usage(t, '2026-07-01T11:20:00.000Z', 'C', 'uc'),
    usage(t, '2026-07-01T12:00:00.000Z', 'G', 'ug'),
    usage(t, '2026-07-01T12:05:00.000Z', 'G', 'ug'),
    ticket('2026-07-02T09:00:00.000Z', 'k1', { status: 'open' }),
    ticket('2026-07-05T15:00:00.000Z', 'k1', {
      status: 'closed',
      createdAt: '2026-07-02T09:00:00.000Z',
      closedAt: '2026-07-05T15:00:00.000Z',
    }),
    ticket('2026-07-03T09:00:00.000Z', 'k2', { status: 'open' }),
  ];
}

/** e. P under its own grandchild G: a cycle, to be refused (P stays a root). */
export function cycleEvent(): CanonicalJson {
  return account(T.hierarchy, '2026-07-08T08:00:00.000Z', 'P', 'G');
}

/**
 * f. The same events for two tenants, on 2026-09-01: in order for one; reversed, with two events
 * sent twice, for the other.
 */
export function orderEvents(): { inOrder: CanonicalJson[]; disorder: CanonicalJson[] } {
  const of = (tenant: string): CanonicalJson[] => [
    usage(tenant, '2026-09-01T08:00:00.000Z', 'o1', 'v1', { module: 'M1' }),
    usage(tenant, '2026-09-01T08:05:00.000Z', 'o1', 'v2', { module: 'M1' }),
    usage(tenant, '2026-09-01T08:10:00.000Z', 'o1', 'v1', { module: 'M2' }),
    usage(tenant, '2026-09-01T08:20:00.000Z', 'o1', 'v2', { module: 'M1', feature: 'f', count: 2 }),
    usage(tenant, '2026-09-01T08:40:00.000Z', 'o1', 'v1', { module: 'M2' }),
    usage(tenant, '2026-09-01T09:20:00.000Z', 'o1', 'v1', { module: 'M1' }),
  ];
  const disorder = of(T.disorder).reverse();
  const [first, , third] = disorder;
  if (first === undefined || third === undefined) throw new Error('scenario f needs events');
  return { inOrder: of(T.inOrder), disorder: [...disorder, { ...third }, { ...first }] };
}

/** Everything sent by `cs ingest` in the first load, in global ts order (scenario f last). */
export function firstLoad(): CanonicalJson[] {
  const byTs = (a: CanonicalJson, b: CanonicalJson) => String(a.ts).localeCompare(String(b.ts));
  const sorted = [
    ...mauEvents(),
    ...moduleUsageEvents(),
    ...revenueEvents(),
    ...hierarchyEvents(),
  ].sort(byTs);
  const order = orderEvents();
  return [...sorted, ...order.inOrder, ...order.disorder];
}

export const toNdjson = (events: readonly Record<string, unknown>[]): string =>
  events.map((event) => JSON.stringify(event)).join('\n') + '\n';
