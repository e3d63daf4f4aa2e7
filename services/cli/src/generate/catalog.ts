/**
 * The small fixed catalog the workload draws from: products, modules and features, plans, and
 * the vocabularies of entity attributes. Every string here is plain ASCII without quotes or
 * backslashes, so the hot path can splice it into JSON without escaping (a test guards this).
 */

export interface CatalogModule {
  product: string;
  module: string;
  features: readonly string[];
}

export const MODULES: readonly CatalogModule[] = [
  {
    product: 'analytics',
    module: 'dashboards',
    features: ['create_dashboard', 'share_dashboard', 'add_widget'],
  },
  { product: 'analytics', module: 'reports', features: ['run_report', 'export_csv', 'schedule'] },
  { product: 'analytics', module: 'alerts', features: ['create_alert', 'mute_alert'] },
  { product: 'crm', module: 'contacts', features: ['add_contact', 'import_contacts', 'merge'] },
  { product: 'crm', module: 'deals', features: ['create_deal', 'move_stage', 'close_deal'] },
  { product: 'crm', module: 'pipeline', features: ['filter', 'bulk_edit'] },
  { product: 'support', module: 'inbox', features: ['reply', 'assign', 'tag'] },
  { product: 'support', module: 'knowledge_base', features: ['publish_article', 'search'] },
];

/**
 * One way a usage event can look, pre-rendered as the JSON fields after `userId`: a feature use,
 * plain activity in a module (no feature), or a bare heartbeat (no product either).
 */
export interface UsageSlot {
  kind: 'feature' | 'activity' | 'heartbeat';
  moduleIndex: number;
  json: string;
}

function buildSlots(): { features: UsageSlot[][]; activity: UsageSlot[] } {
  const features: UsageSlot[][] = [];
  const activity: UsageSlot[] = [];
  MODULES.forEach((entry, moduleIndex) => {
    const base = `,"product":"${entry.product}","module":"${entry.module}"`;
    activity.push({ kind: 'activity', moduleIndex, json: base });
    features.push(
      entry.features.map((feature) => ({
        kind: 'feature',
        moduleIndex,
        json: `${base},"feature":"${feature}"`,
      })),
    );
  });
  return { features, activity };
}

const SLOTS = buildSlots();
export const FEATURE_SLOTS: readonly (readonly UsageSlot[])[] = SLOTS.features;
export const ACTIVITY_SLOTS: readonly UsageSlot[] = SLOTS.activity;
export const HEARTBEAT_SLOT: UsageSlot = { kind: 'heartbeat', moduleIndex: -1, json: '' };

/** Optional `properties` maps, pre-rendered. */
export const USAGE_PROPERTIES: readonly string[] = [
  ',"properties":{"client":"web"}',
  ',"properties":{"client":"mobile","os":"ios"}',
  ',"properties":{"client":"mobile","os":"android"}',
  ',"properties":{"client":"api"}',
];

export interface Plan {
  plan: string;
  /** List price per unit per month, in cents. */
  monthlyCents: number;
  minQuantity: number;
  maxQuantity: number;
}

/** Ordered cheapest first: an upgrade moves right, a downgrade left. */
export const PLANS: readonly Plan[] = [
  { plan: 'starter', monthlyCents: 2_900, minQuantity: 1, maxQuantity: 5 },
  { plan: 'team', monthlyCents: 7_950, minQuantity: 3, maxQuantity: 25 },
  { plan: 'business', monthlyCents: 19_999, minQuantity: 5, maxQuantity: 60 },
  { plan: 'enterprise', monthlyCents: 125_000, minQuantity: 1, maxQuantity: 3 },
];

/** Billing periods with their weight and the discount (percent of list) they earn. */
export const BILLING_PERIODS: readonly { months: 1 | 3 | 12; weight: number; percent: number }[] = [
  { months: 1, weight: 0.6, percent: 100 },
  { months: 3, weight: 0.15, percent: 95 },
  { months: 12, weight: 0.25, percent: 85 },
];

export const ONBOARDING_FEES_CENTS: readonly number[] = [25_000, 50_000, 149_950];

export const NAME_FIRST: readonly string[] = [
  'Blue',
  'Northern',
  'Bright',
  'Silver',
  'Rapid',
  'Quiet',
  'Granite',
  'Coral',
  'Summit',
  'Harbor',
];
export const NAME_SECOND: readonly string[] = [
  'Labs',
  'Systems',
  'Logistics',
  'Foods',
  'Health',
  'Media',
  'Robotics',
  'Partners',
];

export const ACCOUNT_SOURCES: readonly string[] = ['sales', 'self-serve', 'partner'];
export const SEGMENTS: readonly string[] = ['smb', 'mid-market', 'enterprise'];
export const REGIONS: readonly string[] = ['emea', 'amer', 'apac'];
export const ROLES: readonly string[] = ['admin', 'member', 'member', 'member', 'viewer'];
export const TITLES: readonly string[] = ['engineer', 'analyst', 'manager', 'support', 'sales'];
export const TICKET_PRIORITIES: readonly string[] = ['low', 'normal', 'normal', 'high', 'urgent'];
export const TICKET_TYPES: readonly string[] = ['question', 'bug', 'feature_request', 'billing'];

/** Tenant names: two familiar ones, then `t3`, `t4`, … (all match the tenant pattern). */
export function tenantName(index: number): string {
  const named = ['acme', 'globex'];
  return named[index] ?? `t${index + 1}`;
}
