/**
 * The account hierarchy as CONTRACT §2 defines it: the latest `parentId` of each account, except
 * that a link which would close a cycle is refused and the previous parent stays. Whether a link
 * closes a cycle depends on the links standing before it, so "before" must be an order every
 * processor agrees on whatever order records arrive in: the tenant's account records are taken in
 * (`ts`, `id`) order (each record then is its account's latest so far, so it requests its parent).
 * Records are collected first and the hierarchy is worked out on first use.
 */

export interface RefusedLink {
  readonly accountId: string;
  readonly parentId: string;
  /** 1-based line of the record in the input. */
  readonly line: number;
}

interface LinkRequest {
  readonly accountId: string;
  readonly parentId: string | null;
  readonly ts: number;
  readonly id: string;
  readonly line: number;
}

export class AccountHierarchy {
  private readonly requests: LinkRequest[] = [];
  private readonly mentioned = new Set<string>();
  private resolved: {
    parents: Map<string, string | null>;
    refused: RefusedLink[];
    children: Map<string, string[]>;
  } | null = null;

  /** Adds an account record (every distinct one, whatever its arrival position). */
  requestParent(
    accountId: string,
    parentId: string | null,
    ts: number,
    id: string,
    line: number,
  ): void {
    this.requests.push({ accountId, parentId, ts, id, line });
    this.resolved = null;
  }

  /** Makes an account known (as a root) when only usage or billing has mentioned it. */
  ensureAccount(accountId: string): void {
    if (!this.mentioned.has(accountId)) {
      this.mentioned.add(accountId);
      this.resolved = null;
    }
  }

  parentOf(accountId: string): string | null {
    return this.resolve().parents.get(accountId) ?? null;
  }

  /** The account itself, then its parent, … up to its root. */
  selfAndAncestors(accountId: string): string[] {
    const parents = this.resolve().parents;
    const chain = [accountId];
    for (let parent = parents.get(accountId) ?? null; parent !== null;) {
      chain.push(parent);
      parent = parents.get(parent) ?? null;
    }
    return chain;
  }

  /** The account and all its descendants. */
  subtree(accountId: string): string[] {
    const children = this.resolve().children;
    const members = [accountId];
    for (let index = 0; index < members.length; index++) {
      const member = members[index];
      if (member === undefined) break;
      members.push(...(children.get(member) ?? []));
    }
    return members;
  }

  /** Every account the hierarchy knows (records, parents named by records, ensured ones). */
  accounts(): string[] {
    const parents = this.resolve().parents;
    const known = new Set(parents.keys());
    for (const parent of parents.values()) if (parent !== null) known.add(parent);
    return [...known];
  }

  /** The refused links, in (`ts`, `id`) order of their records. */
  refusedLinks(): readonly RefusedLink[] {
    return this.resolve().refused;
  }

  private resolve(): {
    parents: Map<string, string | null>;
    refused: RefusedLink[];
    children: Map<string, string[]>;
  } {
    if (this.resolved !== null) return this.resolved;
    const parents = new Map<string, string | null>();
    const refused: RefusedLink[] = [];
    const ordered = [...this.requests].sort((a, b) =>
      a.ts !== b.ts ? a.ts - b.ts : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    for (const request of ordered) {
      const previous = parents.get(request.accountId) ?? null;
      if (request.parentId !== null && closesCycle(parents, request.accountId, request.parentId)) {
        refused.push({
          accountId: request.accountId,
          parentId: request.parentId,
          line: request.line,
        });
        parents.set(request.accountId, previous);
      } else {
        parents.set(request.accountId, request.parentId);
      }
    }
    for (const accountId of this.mentioned)
      if (!parents.has(accountId)) parents.set(accountId, null);
    const children = new Map<string, string[]>();
    for (const [child, parent] of parents) {
      if (parent === null) continue;
      const siblings = children.get(parent);
      if (siblings === undefined) children.set(parent, [child]);
      else siblings.push(child);
    }
    this.resolved = { parents, refused, children };
    return this.resolved;
  }
}

/** Whether `accountId` under `parentId` closes a cycle: `accountId` is `parentId` or above it. */
function closesCycle(
  parents: ReadonlyMap<string, string | null>,
  accountId: string,
  parentId: string,
): boolean {
  for (let at: string | null = parentId; at !== null; at = parents.get(at) ?? null) {
    if (at === accountId) return true;
  }
  return false;
}
