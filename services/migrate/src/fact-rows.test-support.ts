/**
 * Fact rows as the sink writes them (column names and JSONEachRow value shapes of
 * infra/clickhouse/0001_facts.sql), with defaults so a test states only what it is about.
 */
import { at } from './warehouse.test-support.js';

export const TENANT = 'acme';

export interface UsageInput {
  user: string;
  account: string;
  day: string;
  time?: string;
  module?: string;
  feature?: string;
  count?: number;
  product?: string;
  path?: string[];
}

let nextEvent = 0;

export function usageRow(input: UsageInput): Record<string, unknown> {
  nextEvent += 1;
  return {
    tenant: TENANT,
    event_id: `e${nextEvent}`,
    ts: at(input.day, input.time ?? '10:00:00'),
    day: input.day,
    account_id: input.account,
    user_id: input.user,
    product: input.product ?? 'app',
    module: input.module ?? '',
    feature: input.feature ?? '',
    count: input.count ?? 1,
    account_path: input.path ?? [input.account],
    properties: {},
  };
}

export interface SliceInput {
  user: string;
  account: string;
  day: string;
  ms: number;
  module?: string;
  product?: string;
  sign?: 1 | -1;
  session?: string;
}

export function sliceRow(input: SliceInput): Record<string, unknown> {
  return {
    tenant: TENANT,
    user_id: input.user,
    account_id: input.account,
    day: input.day,
    session_id: input.session ?? `${input.user}-${input.day}`,
    product: input.product ?? 'app',
    module: input.module ?? '',
    ms: input.ms,
    sign: input.sign ?? 1,
  };
}

export interface SessionInput {
  id: string;
  user: string;
  account: string;
  day: string;
  start: string;
  durationMs: number;
  events: number;
  modules?: Record<string, number>;
  sign?: 1 | -1;
}

export function sessionRow(input: SessionInput): Record<string, unknown> {
  return {
    tenant: TENANT,
    session_id: input.id,
    user_id: input.user,
    account_id: input.account,
    day: input.day,
    started_at: at(input.day, input.start),
    ended_at: at(input.day, input.start, input.durationMs / 60_000),
    duration_ms: input.durationMs,
    events: input.events,
    module_time_ms: input.modules ?? { '': input.durationMs },
    sign: input.sign ?? 1,
  };
}

let nextSeq = 0;

/** An entity record's bookkeeping columns: when it was recorded and its arrival order. */
export function recorded(day: string, time = '09:00:00'): { ts: string; day: string; seq: number } {
  nextSeq += 1;
  return { ts: at(day, time), day, seq: nextSeq };
}

export function userRecord(user: string, account: string, day: string): Record<string, unknown> {
  return {
    tenant: TENANT,
    user_id: user,
    account_id: account,
    email: `${user}@example.com`,
    role: 'member',
    attributes: {},
    ...recorded(day),
  };
}

export function accountRecord(
  account: string,
  fields: { name?: string; parent?: string | null; day?: string } = {},
): Record<string, unknown> {
  return {
    tenant: TENANT,
    account_id: account,
    name: fields.name ?? `Account ${account}`,
    parent_id: fields.parent ?? null,
    join_date: '2026-01-15',
    renewal_date: null,
    source: 'crm',
    attributes: {},
    ...recorded(fields.day ?? '2026-01-15'),
  };
}

export function hierarchyLink(
  account: string,
  parent: string | null,
  day: string,
  time = '09:00:00',
): Record<string, unknown> {
  const { ts, seq } = recorded(day, time);
  return { tenant: TENANT, account_id: account, parent_id: parent, ts, seq };
}
