import { describe, expect, it } from 'vitest';
import { Workload } from './workload.js';
import type { WorkloadOptions } from './workload.js';

const TIMEOUT_MS = 30 * 60_000;

function options(overrides: Partial<WorkloadOptions> = {}): WorkloadOptions {
  return {
    seed: 42,
    tenants: 2,
    accounts: 12,
    users: 60,
    days: 14,
    startMs: Date.UTC(2026, 2, 1),
    timeoutMinutes: 30,
    fractions: { late: 0.05, duplicate: 0.04, bad: 0 },
    ...overrides,
  };
}

function generate(opts: WorkloadOptions): string[] {
  return [...new Workload(opts).batches()].flat();
}

type Json = Record<string, unknown>;

// An independent reading of CONTRACT §1, deliberately not the pipeline's validator.
const TYPES = new Set(['usage', 'account', 'user', 'subscription', 'invoice', 'ticket']);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^\d+(\.\d{1,2})?$/;

function contractProblems(record: Json): string[] {
  const problems: string[] = [];
  const str = (key: string, required: boolean, max = 256): void => {
    const value = record[key];
    if (value === undefined) {
      if (required) problems.push(`${key} missing`);
    } else if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      problems.push(`${key} not a string`);
    }
  };
  const match = (key: string, pattern: RegExp, required: boolean): void => {
    const value = record[key];
    if (value === undefined) {
      if (required) problems.push(`${key} missing`);
    } else if (typeof value !== 'string' || !pattern.test(value)) {
      problems.push(`${key}=${JSON.stringify(value)} does not match ${pattern}`);
    }
  };
  const stringMap = (key: string): void => {
    const value = record[key];
    if (value === undefined) return;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${key} not an object`);
    } else if (!Object.values(value).every((inner) => typeof inner === 'string')) {
      problems.push(`${key} has non-string values`);
    }
  };
  const positiveInt = (key: string): void => {
    const value = record[key];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1)) {
      problems.push(`${key}=${JSON.stringify(value)} not an integer ≥ 1`);
    }
  };

  if (typeof record.type !== 'string' || !TYPES.has(record.type)) problems.push('type');
  str('id', true, 128);
  match('tenant', /^[a-z0-9][a-z0-9_-]{0,62}$/, true);
  match('ts', ISO, true);
  switch (record.type) {
    case 'usage':
      str('accountId', true);
      str('userId', true);
      ['product', 'module', 'feature'].forEach((key) => str(key, false));
      positiveInt('count');
      stringMap('properties');
      break;
    case 'account':
      str('accountId', true);
      if (record.parentId !== null) str('parentId', false);
      match('joinDate', DATE, false);
      match('renewalDate', DATE, false);
      stringMap('attributes');
      break;
    case 'user':
      str('userId', true);
      str('accountId', true);
      stringMap('attributes');
      break;
    case 'subscription': {
      str('subscriptionId', true);
      str('accountId', true);
      const action = record.action;
      if (!['start', 'change', 'renewal', 'cancel'].includes(String(action)))
        problems.push('action');
      const months = record.billingPeriodMonths;
      if (months !== undefined && ![1, 3, 6, 12, 24].includes(months as number))
        problems.push('months');
      match('amount', DECIMAL, action !== 'cancel');
      positiveInt('quantity');
      match('currency', /^[A-Z]{3}$/, false);
      break;
    }
    case 'invoice':
      str('invoiceId', true);
      str('accountId', true);
      match('issuedAt', ISO, true);
      match('recurringAmount', DECIMAL, false);
      match('nonRecurringAmount', DECIMAL, false);
      match('paidAt', ISO, false);
      break;
    case 'ticket':
      str('ticketId', true);
      str('accountId', true);
      if (!['open', 'pending', 'closed'].includes(String(record.status))) problems.push('status');
      match('createdAt', ISO, true);
      match('closedAt', ISO, record.status === 'closed');
      break;
  }
  return problems;
}

function parse(line: string): Json {
  return JSON.parse(line) as Json;
}

const ms = (iso: unknown): number => Date.parse(String(iso));

describe('workload generator', () => {
  const opts = options();
  const lines = generate(opts);
  const records = lines.map(parse);

  it('is deterministic by seed: same options give identical lines, another seed differs', () => {
    expect(generate(options())).toEqual(lines);
    const other = generate(options({ seed: 43 }));
    expect(other).not.toEqual(lines);
    expect(other.slice(0, 200)).not.toEqual(lines.slice(0, 200));
  });

  it('writes only records that satisfy CONTRACT §1', () => {
    expect(lines.length).toBeGreaterThan(3_000);
    const bad = records
      .map((record, i) => ({ i, problems: contractProblems(record) }))
      .filter((entry) => entry.problems.length > 0);
    expect(bad.slice(0, 5)).toEqual([]);
    const types = new Set(records.map((record) => record.type));
    expect([...types].sort()).toEqual([
      'account',
      'invoice',
      'subscription',
      'ticket',
      'usage',
      'user',
    ]);
    expect(new Set(records.map((r) => r.tenant))).toEqual(new Set(['acme', 'globex']));
  });

  it('uses the given tenant names first', () => {
    const records = generate(options({ tenantNames: ['demo'] })).map(
      (line) => JSON.parse(line) as Json,
    );
    expect(new Set(records.map((r) => r.tenant))).toEqual(new Set(['demo', 'globex']));
  });

  it('repeats an id only as an exact re-delivery, at about the requested fraction', () => {
    const seen = new Map<string, string>();
    let duplicates = 0;
    lines.forEach((line, i) => {
      const record = records[i] ?? {};
      const key = `${String(record.tenant)}/${String(record.id)}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, line);
      else {
        expect(line).toBe(first);
        duplicates += 1;
      }
    });
    const rate = duplicates / seen.size;
    expect(rate).toBeGreaterThan(opts.fractions.duplicate * 0.7);
    expect(rate).toBeLessThan(opts.fractions.duplicate * 1.3);
  });

  it('delivers about the requested fraction of first deliveries out of ts order', () => {
    const seen = new Set<string>();
    let newest = 0;
    let outOfOrder = 0;
    for (const record of records) {
      const key = `${String(record.tenant)}/${String(record.id)}`;
      const ts = ms(record.ts);
      if (!seen.has(key)) {
        seen.add(key);
        if (ts < newest) outOfOrder += 1;
      }
      newest = Math.max(newest, ts);
    }
    const rate = outOfOrder / seen.size;
    expect(rate).toBeGreaterThan(opts.fractions.late * 0.6);
    expect(rate).toBeLessThan(opts.fractions.late * 1.4);
  });

  it('keeps the file in ts order when no lateness or duplicates are asked for', () => {
    const ordered = generate(options({ fractions: { late: 0, duplicate: 0, bad: 0 } })).map(parse);
    const times = ordered.map((record) => ms(record.ts));
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? 0))).toBe(true);
  });

  describe('usage sessions', () => {
    const byUser = new Map<string, Json[]>();
    const unique = new Map<string, Json>();
    for (const record of records) {
      if (record.type === 'usage')
        unique.set(`${String(record.tenant)}/${String(record.id)}`, record);
    }
    for (const record of unique.values()) {
      const key = `${String(record.tenant)}/${String(record.userId)}`;
      byUser.set(key, [...(byUser.get(key) ?? []), record]);
    }
    const gaps: { gap: number; crossesMidnight: boolean }[] = [];
    for (const events of byUser.values()) {
      events.sort((a, b) => ms(a.ts) - ms(b.ts) || String(a.id).localeCompare(String(b.id)));
      for (let i = 1; i < events.length; i++) {
        const previous = String(events[i - 1]?.ts);
        const current = String(events[i]?.ts);
        gaps.push({
          gap: ms(current) - ms(previous),
          crossesMidnight: previous.slice(0, 10) !== current.slice(0, 10),
        });
      }
    }

    it('has gaps exactly equal to the timeout and gaps longer than it', () => {
      expect(gaps.filter((g) => g.gap === TIMEOUT_MS).length).toBeGreaterThan(5);
      expect(gaps.filter((g) => g.gap > TIMEOUT_MS && !g.crossesMidnight).length).toBeGreaterThan(
        5,
      );
    });

    it('has sessions that run across midnight (short gaps spanning two dates)', () => {
      expect(gaps.filter((g) => g.crossesMidnight && g.gap <= TIMEOUT_MS).length).toBeGreaterThan(
        0,
      );
    });

    it('has plain activity without a feature and counts above 1', () => {
      const usage = [...unique.values()];
      expect(usage.some((r) => r.feature === undefined && r.module !== undefined)).toBe(true);
      expect(usage.some((r) => r.product === undefined)).toBe(true);
      expect(usage.some((r) => typeof r.count === 'number' && r.count > 1)).toBe(true);
    });
  });

  it('builds hierarchies with grandchildren, later moves and a refused cycle attempt per tenant', () => {
    for (const tenant of ['acme', 'globex']) {
      const accounts = records
        .filter((r) => r.tenant === tenant && r.type === 'account')
        .sort((a, b) => ms(a.ts) - ms(b.ts));
      const parents = new Map<string, string | null>();
      const createsCycle = (child: string, parent: string): boolean => {
        for (let at: string | null | undefined = parent; at; at = parents.get(at)) {
          if (at === child) return true;
        }
        return false;
      };
      let moves = 0;
      let cycles = 0;
      for (const record of accounts) {
        const id = String(record.accountId);
        const parent = typeof record.parentId === 'string' ? record.parentId : null;
        if (parent !== null && createsCycle(id, parent)) {
          cycles += 1;
          continue;
        }
        if (parents.has(id) && parents.get(id) !== parent) moves += 1;
        parents.set(id, parent);
      }
      const depth = (id: string): number => {
        let d = 0;
        for (let at = parents.get(id); at; at = parents.get(at)) d += 1;
        return d;
      };
      expect(cycles).toBeGreaterThanOrEqual(1);
      expect(moves).toBeGreaterThanOrEqual(1);
      expect(Math.max(...[...parents.keys()].map(depth))).toBeGreaterThanOrEqual(2);
    }
  });

  it('renders every money field as a decimal string with at most two decimals', () => {
    const money = records.flatMap((r) =>
      ['amount', 'recurringAmount', 'nonRecurringAmount'].flatMap((key) =>
        key in r ? [r[key]] : [],
      ),
    );
    expect(money.length).toBeGreaterThan(20);
    for (const value of money) {
      expect(typeof value).toBe('string');
      expect(String(value)).toMatch(DECIMAL);
    }
  });
});

describe('bad lines', () => {
  it('appear only when asked for, at about the requested fraction, and are all refusable', () => {
    const clean = generate(options({ fractions: { late: 0, duplicate: 0, bad: 0 } }));
    const dirty = generate(options({ fractions: { late: 0, duplicate: 0, bad: 0.05 } }));
    const refusable = (line: string): boolean => {
      try {
        const record = parse(line);
        if (contractProblems(record).length > 0) return true;
        // Rules beyond field shapes: amounts ≥ 0 (a minus sign fails DECIMAL) and count ≥ 1.
        return false;
      } catch {
        return true;
      }
    };
    expect(clean.filter(refusable)).toEqual([]);
    const bad = dirty.filter(refusable);
    const rate = bad.length / (dirty.length - bad.length);
    expect(rate).toBeGreaterThan(0.035);
    expect(rate).toBeLessThan(0.065);
    expect(bad.some((line) => line.includes('"amount":"-'))).toBe(true);
    expect(bad.some((line) => line.includes('"count":0'))).toBe(true);
  });
});
