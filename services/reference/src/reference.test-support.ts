/** Builders of canonical NDJSON lines for the reference's tests (tenant `acme` unless told). */
import { computeReference, type Reference } from './reference.js';
import type { TenantSettings } from './tenant-facts.js';

let nextId = 0;

type Fields = Record<string, unknown>;

function line(type: string, ts: string, fields: Fields): string {
  nextId++;
  return JSON.stringify({ type, id: `e${nextId}`, tenant: 'acme', ts, ...fields });
}

/** A usage event; `at` is `YYYY-MM-DDTHH:MM` in UTC. */
export function usage(
  at: string,
  userId: string,
  accountId: string,
  module?: string,
  extra: Fields = {},
): string {
  return line('usage', `${at}:00.000Z`, { userId, accountId, module, ...extra });
}

export function accountRecord(at: string, accountId: string, parentId: string | null): string {
  return line('account', `${at}:00.000Z`, { accountId, parentId, name: accountId.toUpperCase() });
}

export function userRecord(at: string, userId: string, accountId: string): string {
  return line('user', `${at}:00.000Z`, { userId, accountId });
}

export function subscription(
  at: string,
  subscriptionId: string,
  accountId: string,
  action: 'start' | 'change' | 'renewal' | 'cancel',
  amount?: string,
  extra: Fields = {},
): string {
  return line('subscription', `${at}:00.000Z`, {
    subscriptionId,
    accountId,
    action,
    amount,
    ...extra,
  });
}

export function invoice(
  issuedAt: string,
  invoiceId: string,
  accountId: string,
  recurringAmount: string,
  nonRecurringAmount: string,
  paidAt?: string,
): string {
  return line('invoice', `${issuedAt}:00.000Z`, {
    invoiceId,
    accountId,
    issuedAt: `${issuedAt}:00.000Z`,
    recurringAmount,
    nonRecurringAmount,
    paidAt: paidAt === undefined ? undefined : `${paidAt}:00.000Z`,
  });
}

export function ticket(
  createdAt: string,
  ticketId: string,
  accountId: string,
  closedAt?: string,
): string {
  return line('ticket', `${closedAt ?? createdAt}:00.000Z`, {
    ticketId,
    accountId,
    status: closedAt === undefined ? 'open' : 'closed',
    createdAt: `${createdAt}:00.000Z`,
    closedAt: closedAt === undefined ? undefined : `${closedAt}:00.000Z`,
  });
}

export const MINUTE = 60_000;

/** The reference over `lines` for tenant `acme` (UTC, 30-minute timeout unless told). */
export function referenceOf(
  lines: readonly string[],
  asOf = '2026-12-31',
  settings: TenantSettings = { timezone: 'UTC', timeoutMinutes: 30 },
): Reference {
  return computeReference(lines, { acme: settings }, { asOf });
}
