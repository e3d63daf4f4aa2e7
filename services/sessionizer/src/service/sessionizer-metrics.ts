import type { Counter, Gauge, Histogram, MetricsRegistry } from '@cs/runtime';

/** Restores take from milliseconds (an empty changelog) to minutes (millions of users). */
const RESTORE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface SessionizerMetrics {
  readonly events: Counter;
  /** Counts one event by result; refreshes the users gauge every 1000 events. */
  countEvent(result: string): void;
  readonly restores: Counter;
  readonly restoreSeconds: Histogram;
  readonly unknownTenants: Counter;
  readonly users: Gauge;
  /** Sets the users gauge from the partitions held now (0 for those no longer held). */
  refreshUsers(counts: ReadonlyMap<number, number>): void;
}

/** The sessionizer's own series, beside the consumer shell's on the same /metrics. */
export function createSessionizerMetrics(
  registry: MetricsRegistry,
  group: string,
  userCounts: () => ReadonlyMap<number, number>,
): SessionizerMetrics {
  const users = registry.gauge(
    'cs_sessionizer_users',
    'Users whose state is held in memory, per input partition.',
    ['group', 'partition'],
  );
  const seen = new Set<number>();
  const refreshUsers = (counts: ReadonlyMap<number, number>): void => {
    for (const partition of seen) {
      if (!counts.has(partition)) users.set({ group, partition: String(partition) }, 0);
    }
    for (const [partition, count] of counts) {
      seen.add(partition);
      users.set({ group, partition: String(partition) }, count);
    }
  };
  const events = registry.counter(
    'cs_sessionizer_events_total',
    'Usage events applied, by result: applied (in a held day), duplicate (dropped), late (beyond the horizon).',
    ['group', 'result'],
  );
  let sinceRefresh = 0;
  const countEvent = (result: string): void => {
    events.inc({ group, result });
    sinceRefresh += 1;
    if (sinceRefresh >= 1000) {
      sinceRefresh = 0;
      refreshUsers(userCounts());
    }
  };
  return {
    events,
    countEvent,
    restores: registry.counter(
      'cs_sessionizer_restores_total',
      'Partition states read back from the changelog (assignment, redelivery after a failed transaction).',
      ['group'],
    ),
    restoreSeconds: registry.histogram(
      'cs_sessionizer_restore_seconds',
      'Time to read one partition state from the changelog.',
      ['group'],
      RESTORE_BUCKETS,
    ),
    unknownTenants: registry.counter(
      'cs_sessionizer_unknown_tenants_total',
      'Tenants not in the tenants file, sessionized with the default settings (counted once each).',
      ['group'],
    ),
    users,
    refreshUsers,
  };
}
