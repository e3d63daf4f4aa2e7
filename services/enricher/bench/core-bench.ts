/**
 * The enricher's tables in memory, without Kafka (run with --expose-gc):
 *
 *   npm run bench -w @cs/enricher     (this one, then the service bench)
 *
 * For BENCH_USERS users (100000) over two tenants and 200 accounts per tenant, the heap (after a
 * full GC) per user of:
 *  - the partition user table (`applyUserRecord`: a `UserEntry` per user), next to the same users
 *    held as whole decoded records (what the table held before: the reference);
 *  - the whole-tenant lookup tables (`LookupTables`, restored from encoded changelog values), next
 *    to an `EnricherState` restored from the same values (what the service held before);
 * and the time of one enrichment lookup (path + role). Prints figures; asserts nothing.
 */
import type { UserRecord } from '@cs/schemas';
import {
  applyAccountRecord,
  applyUserRecord,
  createEnricherState,
  createLookupTables,
  decodeAccountEntry,
  decodeUserRecord,
  encodeAccountEntry,
  encodeUserRecord,
  lookupAccountEntry,
  lookupAccountPath,
  lookupUserRecord,
  lookupUserRole,
  restoreAccountEntry,
  restoreUserRecord,
} from '../src/index.js';

const users = Number(process.env.BENCH_USERS ?? 100_000);
const accountsPerTenant = 200;
const TENANTS = ['bench1', 'bench2'];
const ROLES = ['viewer', 'editor', 'admin', 'owner'];
const BASE = Date.UTC(2026, 0, 1);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Fresh strings, as each decode makes them (a literal would be shared). */
const fresh = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

function userRecords(): UserRecord[] {
  const records: UserRecord[] = [];
  const perTenant = Math.ceil(users / TENANTS.length);
  for (const tenant of TENANTS) {
    for (let u = 0; u < perTenant; u += 1) {
      const accountId = `acc-${(u * 7919) % accountsPerTenant}`;
      records.push({
        id: fresh(`p-${(records.length + 1000).toString(36)}`),
        tenant: fresh(tenant),
        ts: BASE + u * 37,
        userId: fresh(`usr-${u}`),
        accountId: fresh(accountId),
        email: fresh(`usr-${u}@${accountId}.example.com`),
        role: fresh(ROLES[u % ROLES.length] ?? 'viewer'),
        attributes: { title: fresh('engineer') },
      });
    }
  }
  return records;
}

/** Kept reachable until the end, so a later measurement does not see them collected. */
const keep: unknown[] = [];

const perUser = (bytes: number): string => `${Math.round(bytes / users)} bytes/user`;

function main(): void {
  const accountState = createEnricherState();
  for (const tenant of TENANTS) {
    for (let a = 0; a < accountsPerTenant; a += 1) {
      applyAccountRecord(accountState, {
        id: `a-${tenant}-${a}`,
        tenant,
        ts: BASE + a,
        accountId: `acc-${a}`,
        name: `Account ${a}`,
        parentId: a >= 10 ? `acc-${a % 10}` : null,
        joinDate: null,
        renewalDate: null,
        source: 'sales',
        attributes: {},
      });
    }
  }
  const accountValues = TENANTS.flatMap((tenant) =>
    [...(accountState.tenants.get(tenant)?.accounts.values() ?? [])].map(encodeAccountEntry),
  );

  // The partition user table, then the same users as whole records (the former table); each
  // from fresh records, dropped once applied, as the service's decoded records are.
  let start = heapUsed();
  const partition = createEnricherState();
  for (const record of userRecords()) applyUserRecord(partition, record);
  const entries = heapUsed() - start;
  keep.push(partition);
  start = heapUsed();
  const whole = new Map(userRecords().map((record) => [record.userId, record]));
  const wholeBytes = heapUsed() - start;
  console.log(
    `partition user table: ${perUser(entries)} (UserEntry) | whole decoded records: ${perUser(wholeBytes)}` +
      ` | ratio ${(entries / wholeBytes).toFixed(2)}`,
  );
  whole.clear();
  const userValues = userRecords().map(encodeUserRecord);
  keep.push(userValues, accountValues);

  // The whole-tenant tables, restored from the changelog values: lookups, then EnricherState.
  start = heapUsed();
  const lookup = createLookupTables();
  for (const value of accountValues) lookupAccountEntry(lookup, decodeAccountEntry(value));
  for (const value of userValues) lookupUserRecord(lookup, decodeUserRecord(value));
  const lookupBytes = heapUsed() - start;
  keep.push(lookup);
  start = heapUsed();
  const restored = createEnricherState();
  for (const value of accountValues) restoreAccountEntry(restored, decodeAccountEntry(value));
  for (const value of userValues) restoreUserRecord(restored, decodeUserRecord(value));
  const restoredBytes = heapUsed() - start;
  keep.push(restored);
  console.log(
    `whole-tenant tables: ${perUser(lookupBytes)} (LookupTables) | restored EnricherState: ${perUser(restoredBytes)}` +
      ` | ratio ${(lookupBytes / restoredBytes).toFixed(2)}`,
  );

  // One enrichment lookup (path + role), as the activity step does per event.
  const lookups = 200_000;
  const perTenant = Math.ceil(users / TENANTS.length);
  const keys = Array.from({ length: lookups }, (_, i) => {
    const u = (i * 7) % perTenant;
    return {
      tenant: TENANTS[i % 2] ?? 'bench1',
      accountId: fresh(`acc-${(u * 7919) % accountsPerTenant}`),
      userId: fresh(`usr-${u}`),
    };
  });
  let depth = 0;
  const started = performance.now();
  for (const { tenant, accountId, userId } of keys) {
    depth += lookupAccountPath(lookup, tenant, accountId).length;
    if (lookupUserRole(lookup, tenant, userId) === null) depth -= 1;
  }
  const ns = ((performance.now() - started) * 1e6) / lookups;
  console.log(
    `enrichment lookup (path + role): ${ns.toFixed(0)} ns | mean path length ${(depth / lookups).toFixed(2)}` +
      ` | partition users held ${partition.tenants.get('bench1')?.users.size ?? 0} + ${partition.tenants.get('bench2')?.users.size ?? 0}`,
  );
}

main();
