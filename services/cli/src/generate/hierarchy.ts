import { ACCOUNT_SOURCES, NAME_FIRST, NAME_SECOND, REGIONS, SEGMENTS } from './catalog.js';
import { renderEntity } from './records.js';
import type { TenantStream, TimedLine, Window } from './tenant-stream.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, formatUtcDate } from './timestamps.js';

export interface AccountModel {
  index: number;
  accountId: string;
  name: string;
  /** Parent at creation; -1 for a root. */
  parentIndex: number;
  joinTs: number;
  joinDate: string;
  source: string;
  segment: string;
  region: string;
  /** Roots render `parentId: null` when set, and leave the field out otherwise (both are legal). */
  explicitNullParent: boolean;
  /** Set by billing once the subscription schedule is known. */
  renewalDate?: string;
}

/** A later account record that re-parents an account; a cycle attempt must be refused downstream. */
export interface HierarchyChange {
  ts: number;
  accountIndex: number;
  parentIndex: number;
  kind: 'move' | 'cycle-attempt';
}

export interface Hierarchy {
  accounts: AccountModel[];
  changes: HierarchyChange[];
}

const ROOT_SHARE = 0.4;
const LATE_JOIN_SHARE = 0.2;

/**
 * Builds a tenant's account forest: ~40% roots, the rest children of roots or of depth-1 accounts
 * (grandchildren). Most accounts exist from day 0; some join later, never before their parent.
 */
export function buildHierarchy(stream: TenantStream, count: number, window: Window): Hierarchy {
  const { rng } = stream;
  const rootCount = Math.max(1, Math.ceil(count * ROOT_SHARE));
  const accounts: AccountModel[] = [];
  const depthOne: number[] = [];
  for (let index = 0; index < count; index++) {
    let parentIndex = -1;
    if (index >= rootCount) {
      if (depthOne.length > 0 && rng.chance(0.45)) {
        parentIndex = rng.pick(depthOne);
      } else {
        parentIndex = rng.int(rootCount);
        depthOne.push(index);
      }
    }
    const lateJoin = window.days >= 3 && rng.chance(LATE_JOIN_SHARE);
    const joinDay = lateJoin ? rng.between(1, window.days - 2) : 0;
    const parentJoin = accounts[parentIndex]?.joinTs ?? window.startMs;
    // Entity records land before 06:00 so that, on their day, they mostly precede the usage.
    const joinTs = Math.max(
      window.startMs + joinDay * DAY_MS + rng.int(6 * HOUR_MS),
      parentJoin + MINUTE_MS,
    );
    accounts.push({
      index,
      accountId: `acc-${index + 1}`,
      name: `${rng.pick(NAME_FIRST)} ${rng.pick(NAME_SECOND)} ${index + 1}`,
      parentIndex,
      joinTs,
      // Day-0 accounts are existing customers onboarded into the system: their join date is older.
      joinDate: formatUtcDate(lateJoin ? joinTs : joinTs - rng.between(30, 1000) * DAY_MS),
      source: rng.pick(ACCOUNT_SOURCES),
      segment: rng.pick(SEGMENTS),
      region: rng.pick(REGIONS),
      explicitNullParent: rng.chance(0.5),
    });
  }
  return { accounts, changes: planHierarchyChanges(stream, accounts, window) };
}

/** True when `candidate` is `node` or lies below it, following the current parent links. */
function inSubtree(parents: readonly number[], node: number, candidate: number): boolean {
  for (let at = candidate, steps = 0; at !== -1 && steps <= parents.length; steps++) {
    if (at === node) return true;
    at = parents[at] ?? -1;
  }
  return false;
}

function changeTs(stream: TenantStream, window: Window, fromDay: number): number {
  const day =
    window.days <= 1 ? 0 : stream.rng.between(Math.min(fromDay, window.days - 1), window.days - 1);
  return window.startMs + day * DAY_MS + 8 * HOUR_MS + stream.rng.int(10 * HOUR_MS);
}

/**
 * A few moves of child accounts to another parent, and (from 5 accounts up) one record that
 * would close a cycle, all simulated in time order against the evolving forest so each move is
 * valid when it happens and the cycle attempt really is one at its instant.
 */
function planHierarchyChanges(
  stream: TenantStream,
  accounts: readonly AccountModel[],
  window: Window,
): HierarchyChange[] {
  if (accounts.length < 5) return [];
  const { rng } = stream;
  const moveCount = Math.max(1, Math.floor(accounts.length / 25));
  const planned = [
    ...Array.from({ length: moveCount }, () => ({ ts: changeTs(stream, window, 1), cycle: false })),
    { ts: changeTs(stream, window, Math.floor(window.days / 2)), cycle: true },
  ].sort((a, b) => a.ts - b.ts);

  const parents = accounts.map((account) => account.parentIndex);
  const changes: HierarchyChange[] = [];
  for (const { ts, cycle } of planned) {
    const existing = accounts.filter((account) => account.joinTs < ts).map((a) => a.index);
    if (cycle) {
      const hasChild = new Set(existing.map((c) => parents[c] ?? -1));
      const withChildren = existing.filter((i) => hasChild.has(i));
      if (withChildren.length === 0) continue;
      const ancestor = rng.pick(withChildren);
      // The deepest descendant on one path down makes the most interesting cycle.
      let descendant = ancestor;
      for (;;) {
        const below = existing.filter((c) => parents[c] === descendant);
        if (below.length === 0) break;
        descendant = rng.pick(below);
      }
      changes.push({ ts, accountIndex: ancestor, parentIndex: descendant, kind: 'cycle-attempt' });
      continue;
    }
    const children = existing.filter((i) => (parents[i] ?? -1) !== -1);
    for (let attempt = 0; attempt < 20 && children.length > 0; attempt++) {
      const child = rng.pick(children);
      const parent = rng.pick(existing);
      if (parent === parents[child] || inSubtree(parents, child, parent)) continue;
      parents[child] = parent;
      changes.push({ ts, accountIndex: child, parentIndex: parent, kind: 'move' });
      break;
    }
  }
  return changes;
}

/** The account records: one at each account's creation, and one per hierarchy change. */
export function renderAccountRecords(
  stream: TenantStream,
  hierarchy: Hierarchy,
  window: Window,
): TimedLine[] {
  const { accounts } = hierarchy;
  const render = (account: AccountModel, parentIndex: number, ts: number): TimedLine => {
    const parent = accounts[parentIndex];
    return {
      ts,
      line: renderEntity(stream, ts, {
        type: 'account',
        fields: {
          accountId: account.accountId,
          name: account.name,
          ...(parent
            ? { parentId: parent.accountId }
            : account.explicitNullParent
              ? { parentId: null }
              : {}),
          joinDate: account.joinDate,
          ...(account.renewalDate === undefined ? {} : { renewalDate: account.renewalDate }),
          source: account.source,
          attributes: { segment: account.segment, region: account.region },
        },
      }),
    };
  };
  const lines = accounts.map((account) => render(account, account.parentIndex, account.joinTs));
  for (const change of hierarchy.changes) {
    const account = accounts[change.accountIndex];
    if (account && change.ts < window.endMs) {
      lines.push(render(account, change.parentIndex, change.ts));
    }
  }
  return lines;
}
