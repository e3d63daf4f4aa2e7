/**
 * Segment HTTP tracking API calls mapped onto canonical events (CONTRACT §1), before validation:
 *
 * | call               | canonical | fields                                                            |
 * | ------------------ | --------- | ----------------------------------------------------------------- |
 * | track              | usage     | feature = properties.feature, else the `event` name               |
 * | page, screen       | usage     | no feature: plain activity (a page view counts for time only)     |
 * | identify           | user      | traits.email, traits.role; other traits → attributes              |
 * | group              | account   | groupId; traits.name/parentId/joinDate/renewalDate/source         |
 *
 * Common: messageId → id (required: it is the deduplication key, so a retried call must carry the
 * same one), timestamp (else originalTimestamp, else the time received) → ts; the tenant comes
 * from the write key, never from the body. usage.userId is userId, else anonymousId; the account
 * of track/page/screen/identify is context.groupId, else properties/traits accountId or groupId.
 * Properties and traits other than the mapped ones go to `properties` / `attributes` as strings
 * (numbers and booleans as text, objects as JSON).
 */
import type { FieldError } from '@cs/schemas';

export const SEGMENT_CALL_TYPES = ['track', 'identify', 'group', 'page', 'screen'] as const;
export type SegmentCallType = (typeof SEGMENT_CALL_TYPES)[number];

/** Canonical field path prefix → the Segment path a producer recognises, for refusals. */
type Renames = readonly (readonly [string, string])[];

export type SegmentMapping =
  { ok: true; event: Record<string, unknown>; renames: Renames } | { ok: false; errors: string[] };

type JsonObject = Record<string, unknown>;

export function isSegmentCallType(value: unknown): value is SegmentCallType {
  return SEGMENT_CALL_TYPES.some((type) => type === value);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional object field: absent or null is empty; anything else but an object is refused. */
function objectField(call: JsonObject, name: string, errors: string[]): JsonObject {
  const value = call[name];
  if (value === undefined || value === null) return {};
  if (isObject(value)) return value;
  errors.push(`${name}: must be an object`);
  return {};
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** The first present candidate, with the Segment path it came from. */
function firstOf(
  candidates: readonly (readonly [unknown, string])[],
): [unknown, string] | undefined {
  const found = candidates.find(([value]) => present(value));
  return found === undefined ? undefined : [found[0], found[1]];
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Free-form properties or traits as a string → string map, without the keys mapped elsewhere. */
function stringMap(source: JsonObject, mapped: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (mapped.has(key)) continue;
    const text = asText(value);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

interface Common {
  event: JsonObject;
  renames: [string, string][];
}

function common(call: JsonObject, receivedAt: number, errors: string[]): Common {
  const event: JsonObject = {};
  const renames: [string, string][] = [['id', 'messageId']];
  if (!present(call.messageId)) {
    errors.push('messageId: required (the event id; send the same one when retrying)');
  }
  event.id = call.messageId;
  const ts = firstOf([
    [call.timestamp, 'timestamp'],
    [call.originalTimestamp, 'originalTimestamp'],
  ]);
  event.ts = ts === undefined ? new Date(receivedAt).toISOString() : ts[0];
  renames.push(['ts', ts?.[1] ?? 'timestamp']);
  return { event, renames };
}

function accountOf(
  context: JsonObject,
  bag: JsonObject,
  bagName: string,
): [unknown, string] | undefined {
  return firstOf([
    [context.groupId, 'context.groupId'],
    [bag.accountId, `${bagName}.accountId`],
    [bag.groupId, `${bagName}.groupId`],
  ]);
}

const USAGE_MAPPED = new Set(['accountId', 'groupId', 'product', 'module', 'feature', 'count']);

function usage(
  type: 'track' | 'page' | 'screen',
  call: JsonObject,
  context: JsonObject,
  base: Common,
  errors: string[],
): void {
  const properties = objectField(call, 'properties', errors);
  const { event, renames } = base;
  event.type = 'usage';
  const user = firstOf([
    [call.userId, 'userId'],
    [call.anonymousId, 'anonymousId'],
  ]);
  if (user === undefined) errors.push('userId: required (or anonymousId)');
  event.userId = user?.[0];
  renames.push(['usage.userId', user?.[1] ?? 'userId']);
  const account = accountOf(context, properties, 'properties');
  if (account === undefined) {
    errors.push(`context.groupId: required for ${type} (the account; or properties.accountId)`);
  }
  event.accountId = account?.[0];
  renames.push(['usage.accountId', account?.[1] ?? 'context.groupId']);
  event.product = properties.product;
  event.module = properties.module;
  event.count = properties.count;
  const extra = stringMap(properties, USAGE_MAPPED);
  if (type === 'track') {
    if (!present(call.event)) errors.push('event: required for track');
    // The track call's event name is the feature used, unless properties.feature says otherwise;
    // then the name is kept as properties.event.
    if (present(properties.feature)) {
      event.feature = properties.feature;
      renames.push(['usage.feature', 'properties.feature']);
      const name = asText(call.event);
      if (name !== undefined && extra.event === undefined) extra.event = name;
    } else {
      event.feature = call.event;
      renames.push(['usage.feature', 'event']);
    }
  } else {
    const name = asText(call.name);
    if (name !== undefined && extra.name === undefined) extra.name = name;
  }
  event.properties = extra;
  renames.push(
    ['usage.product', 'properties.product'],
    ['usage.module', 'properties.module'],
    ['usage.count', 'properties.count'],
    ['usage.properties', 'properties'],
  );
}

const USER_MAPPED = new Set(['accountId', 'groupId', 'email', 'role']);

function user(call: JsonObject, context: JsonObject, base: Common, errors: string[]): void {
  const traits = objectField(call, 'traits', errors);
  const { event, renames } = base;
  event.type = 'user';
  if (!present(call.userId)) errors.push('userId: required for identify');
  event.userId = call.userId;
  const account = accountOf(context, traits, 'traits');
  if (account === undefined) {
    errors.push('context.groupId: required for identify (the account; or traits.accountId)');
  }
  event.accountId = account?.[0];
  event.email = traits.email;
  event.role = traits.role;
  event.attributes = stringMap(traits, USER_MAPPED);
  renames.push(
    ['user.userId', 'userId'],
    ['user.accountId', account?.[1] ?? 'context.groupId'],
    ['user.email', 'traits.email'],
    ['user.role', 'traits.role'],
    ['user.attributes', 'traits'],
  );
}

const ACCOUNT_MAPPED = new Set(['name', 'parentId', 'joinDate', 'renewalDate', 'source']);

function account(call: JsonObject, base: Common, errors: string[]): void {
  const traits = objectField(call, 'traits', errors);
  const { event, renames } = base;
  event.type = 'account';
  if (!present(call.groupId)) errors.push('groupId: required for group');
  event.accountId = call.groupId;
  for (const field of ACCOUNT_MAPPED) {
    event[field] = traits[field];
    renames.push([`account.${field}`, `traits.${field}`]);
  }
  event.attributes = stringMap(traits, ACCOUNT_MAPPED);
  renames.push(['account.accountId', 'groupId'], ['account.attributes', 'traits']);
}

export interface SegmentMappingOptions {
  /** The call type of a typed endpoint (/v1/track, …); in a batch it comes from each call. */
  type?: SegmentCallType;
  /** When the gateway received the call: the ts of a call without a timestamp. */
  receivedAt: number;
  /** A batch's top-level context, under each call's own. */
  batchContext?: JsonObject;
}

export function mapSegmentCall(input: unknown, options: SegmentMappingOptions): SegmentMapping {
  if (!isObject(input)) return { ok: false, errors: ['call: must be a JSON object'] };
  const type = options.type ?? input.type;
  if (!isSegmentCallType(type)) {
    return { ok: false, errors: [`type: must be one of ${SEGMENT_CALL_TYPES.join(', ')}`] };
  }
  const errors: string[] = [];
  const context = { ...options.batchContext, ...objectField(input, 'context', errors) };
  const base = common(input, options.receivedAt, errors);
  if (type === 'identify') user(input, context, base, errors);
  else if (type === 'group') account(input, base, errors);
  else usage(type, input, context, base, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, event: base.event, renames: base.renames };
}

/**
 * Validation errors of a mapped call in the producer's terms: `usage.count: …` becomes
 * `properties.count: …`, `usage.properties.plan: …` becomes `properties.plan: …`.
 */
export function segmentErrors(errors: readonly FieldError[], renames: Renames): string[] {
  return errors.map(({ field, rule }) => {
    let best: readonly [string, string] | undefined;
    for (const rename of renames) {
      const [from] = rename;
      const matches = field === from || field.startsWith(`${from}.`);
      if (matches && (best === undefined || from.length > best[0].length)) best = rename;
    }
    const shown = best === undefined ? field : best[1] + field.slice(best[0].length);
    return `${shown}: ${rule}`;
  });
}
