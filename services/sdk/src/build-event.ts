import { randomUUID } from 'node:crypto';
import { validateEvent, type EventType, type ValidEvent } from '@cs/schemas';
import { InvalidEventError } from './errors.js';
import type { InputByType } from './inputs.js';

/**
 * Turns a call into a validated canonical event, or throws InvalidEventError naming each broken
 * rule: validation happens at call time, so nothing invalid is ever queued.
 */

export interface BuildContext {
  /** The client's tenant; absent for a gateway client, whose write key decides it. */
  tenant: string | undefined;
  now: () => number;
  newId?: () => string;
}

/**
 * Stands in for the tenant while validating a gateway client's event without one: the gateway
 * fills it in from the write key, and the tenant is then not sent. Any valid tenant would do.
 */
export const GATEWAY_TENANT_PLACEHOLDER = 'gateway-write-key-tenant';

function plain(value: unknown): unknown {
  if (!(value instanceof Date)) return value;
  // An invalid Date becomes text validation refuses by field name, instead of a RangeError here.
  return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
}

export function buildEvent<T extends EventType>(
  type: T,
  input: InputByType[T],
  ctx: BuildContext,
): ValidEvent {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    // Absent optional fields may come as `undefined` from spread objects: not "unknown fields".
    if (value !== undefined) fields[key] = plain(value);
  }
  const body: Record<string, unknown> = {
    ...fields,
    type,
    id: fields.id ?? (ctx.newId ?? randomUUID)(),
    ts: fields.ts ?? ctx.now(),
  };
  if (ctx.tenant !== undefined) body.tenant = ctx.tenant;
  const result = validateEvent(body, { tenant: ctx.tenant ?? GATEWAY_TENANT_PLACEHOLDER });
  if (!result.ok) throw new InvalidEventError(result.errors);
  return result;
}
