import { avroType, invalidPaths } from './avro-types.js';
import { toCanonicalJson } from './canonical.js';
import {
  amountOr,
  identifier,
  instant,
  integerAtLeast,
  numberIn,
  oneOf,
  optionalAmount,
  optionalCurrency,
  optionalDate,
  optionalIdentifier,
  optionalInstant,
  optionalText,
  REQUIRED,
  stringMap,
  type FieldCheck,
} from './field-rules.js';
import {
  EVENT_TYPES,
  subscriptionActionValues,
  ticketStatusValues,
  type CanonicalEventByType,
  type EventRecord,
  type EventType,
  type RecordBySchemaName,
} from './generated/index.js';

/**
 * CONTRACT §1 in one place: every producer path (gateway, file loader, SDK) calls validateEvent,
 * which turns canonical JSON into the Avro record of its type or names each broken rule.
 */

/** One broken rule: `field` is `type`, `id`, `tenant`, `ts` or `<type>.<field>[.<key>]`. */
export interface FieldError {
  field: string;
  rule: string;
  /** `${field}: ${rule}`, e.g. `subscription.amount: must be ≥ 0`. */
  message: string;
}

export type ValidEvent = {
  [T in EventType]: {
    ok: true;
    type: T;
    /** The canonical JSON of the record: defaults applied, instants in UTC. */
    event: CanonicalEventByType[T];
    /** What is encoded to the raw topic of `type`. */
    record: RecordBySchemaName[T];
  };
}[EventType];

export type ValidationResult = ValidEvent | { ok: false; errors: FieldError[] };

export interface ValidationContext {
  /** The tenant the caller is authenticated as (the gateway's API key); the body may omit it. */
  tenant?: string;
}

export const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

type CommonField = 'id' | 'tenant' | 'ts';
type FieldChecks<R> = { [K in keyof R]: FieldCheck<R[K]> };

// Typed against the generated record types: a field added to an .avsc file without a rule here,
// or a rule whose output does not fit the field, fails to compile.
const TYPE_FIELDS: { [T in EventType]: FieldChecks<Omit<RecordBySchemaName[T], CommonField>> } = {
  usage: {
    accountId: identifier,
    userId: identifier,
    product: optionalText(256),
    module: optionalText(256),
    feature: optionalText(256),
    count: integerAtLeast(1, 1),
    properties: stringMap,
  },
  account: {
    accountId: identifier,
    name: optionalText(1024),
    parentId: optionalIdentifier,
    joinDate: optionalDate,
    renewalDate: optionalDate,
    source: optionalText(256),
    attributes: stringMap,
  },
  user: {
    userId: identifier,
    accountId: identifier,
    email: optionalText(320),
    role: optionalText(256),
    attributes: stringMap,
  },
  subscription: {
    subscriptionId: identifier,
    accountId: identifier,
    action: oneOf(subscriptionActionValues),
    plan: optionalText(256),
    billingPeriodMonths: numberIn([1, 3, 6, 12, 24], 1),
    // Required unless the action is cancel: checked across fields below.
    amount: optionalAmount,
    quantity: integerAtLeast(1, 1),
    currency: optionalCurrency,
  },
  invoice: {
    invoiceId: identifier,
    accountId: identifier,
    issuedAt: instant,
    recurringAmount: amountOr('0'),
    nonRecurringAmount: amountOr('0'),
    paidAt: optionalInstant,
    currency: optionalCurrency,
  },
  ticket: {
    ticketId: identifier,
    accountId: identifier,
    userId: optionalIdentifier,
    status: oneOf(ticketStatusValues),
    priority: optionalText(256),
    ticketType: optionalText(256),
    createdAt: instant,
    closedAt: optionalInstant,
  },
};

const COMMON_FIELDS = new Set(['type', 'id', 'tenant', 'ts']);

function fieldError(field: string, rule: string): FieldError {
  return { field, rule, message: `${field}: ${rule}` };
}

function isEventType(value: unknown): value is EventType {
  return EVENT_TYPES.some((type) => type === value);
}

function checkTenant(body: unknown, ctx: ValidationContext, errors: FieldError[]): string | null {
  if (ctx.tenant !== undefined && body !== undefined && body !== null && body !== ctx.tenant) {
    errors.push(fieldError('tenant', "does not match the API key's tenant"));
    return null;
  }
  const tenant = body ?? ctx.tenant;
  if (tenant === undefined) {
    errors.push(fieldError('tenant', REQUIRED));
    return null;
  }
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) {
    errors.push(fieldError('tenant', `must match ${TENANT_PATTERN.source}`));
    return null;
  }
  return tenant;
}

function check<T>(
  check: FieldCheck<T>,
  value: unknown,
  field: string,
  errors: FieldError[],
): T | undefined {
  const result = check(value);
  if (result.ok) return result.value;
  errors.push(
    fieldError(result.path === undefined ? field : `${field}.${result.path}`, result.rule),
  );
  return undefined;
}

function shortKey(key: string): string {
  return key.length > 64 ? `${key.slice(0, 64)}…` : key;
}

/**
 * Validates one canonical JSON event. Never throws: anything wrong with the input comes back as
 * errors naming the field and the rule. Unknown top-level fields are refused (`usage.foo: unknown
 * field`) so a misspelt optional field cannot silently drop data; free-form data belongs in
 * `properties` / `attributes`.
 */
export function validateEvent(input: unknown, ctx: ValidationContext = {}): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [fieldError('event', 'must be a JSON object')] };
  }
  const body = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  const type = body.type;
  if (type === undefined || type === null) errors.push(fieldError('type', REQUIRED));
  else if (!isEventType(type))
    errors.push(fieldError('type', `must be one of ${EVENT_TYPES.join(', ')}`));

  const id = check(identifier, body.id, 'id', errors);
  const tenant = checkTenant(body.tenant, ctx, errors);
  const ts = check(instant, body.ts, 'ts', errors);
  if (!isEventType(type)) return { ok: false, errors };

  const checks = TYPE_FIELDS[type] as Record<string, FieldCheck<unknown>>;
  const record: Record<string, unknown> = { id, tenant, ts };
  for (const [name, fieldCheck] of Object.entries(checks)) {
    record[name] = check(fieldCheck, body[name], `${type}.${name}`, errors);
  }
  if (type === 'subscription' && record.amount === null && record.action !== 'cancel') {
    errors.push(fieldError('subscription.amount', 'required unless action is cancel'));
  }
  if (type === 'ticket' && record.status === 'closed' && record.closedAt === null) {
    errors.push(fieldError('ticket.closedAt', 'required when status is closed'));
  }
  for (const key of Object.keys(body)) {
    if (!COMMON_FIELDS.has(key) && !Object.hasOwn(checks, key)) {
      errors.push(fieldError(`${type}.${shortKey(key)}`, 'unknown field'));
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  // A guard against the rules above drifting from the .avsc files: it never fires unless they do.
  const misfits = invalidPaths(avroType(type), record);
  if (misfits.length > 0) {
    return {
      ok: false,
      errors: misfits.map((path) => fieldError(`${type}.${path}`, 'does not fit the Avro schema')),
    };
  }
  return accept(type, record);
}

function accept(type: EventType, fields: Record<string, unknown>): ValidEvent {
  const record = fields as unknown as EventRecord;
  return { ok: true, type, event: toCanonicalJson(type, record), record } as ValidEvent;
}

/** The errors of a refusal as one line each, for an HTTP body or a loader report. */
export function formatErrors(errors: readonly FieldError[]): string {
  return errors.map((error) => error.message).join('; ');
}
