/**
 * The account hierarchy as CONTRACT §2 defines it: the latest `parentId` of each account, except
 * that a link which would close a cycle is refused and the previous parent stays. Whether a link
 * closes a cycle depends on the links standing when it arrives, so records are applied in file
 * order (the order the pipeline receives them in) — not in `ts` order.
 */

export interface RefusedLink {
  readonly accountId: string;
  readonly parentId: string;
  /** 1-based line of the record in the input. */
  readonly line: number;
}

export class AccountHierarchy {
  private readonly parents = new Map<string, string | null>();
  private readonly refused: RefusedLink[] = [];
  private childrenCache: Map<string, string[]> | null = null;

  /** Applies the requested parent of an account record that is now the account's latest state. */
  requestParent(accountId: string, parentId: string | null, line: number): void {
    this.childrenCache = null;
    if (parentId !== null && this.wouldCycle(accountId, parentId)) {
      this.refused.push({ accountId, parentId, line });
      if (!this.parents.has(accountId)) this.parents.set(accountId, null);
      return;
    }
    this.parents.set(accountId, parentId);
  }

  /** Makes an account known (as a root) when only usage or billing has mentioned it. */
  ensureAccount(accountId: string): void {
    if (!this.parents.has(accountId)) {
      this.parents.set(accountId, null);
      this.childrenCache = null;
    }
  }

  parentOf(accountId: string): string | null {
    return this.parents.get(accountId) ?? null;
  }

  /** The account itself, then its parent, … up to its root. */
  selfAndAncestors(accountId: string): string[] {
    const chain = [accountId];
    for (let parent = this.parentOf(accountId); parent !== null; parent = this.parentOf(parent)) {
      chain.push(parent);
    }
    return chain;
  }

  /** The account and all its descendants. */
  subtree(accountId: string): string[] {
    const children = this.children();
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
    const known = new Set(this.parents.keys());
    for (const parent of this.parents.values()) if (parent !== null) known.add(parent);
    return [...known];
  }

  refusedLinks(): readonly RefusedLink[] {
    return this.refused;
  }

  private wouldCycle(accountId: string, parentId: string): boolean {
    return this.selfAndAncestors(parentId).includes(accountId);
  }

  private children(): Map<string, string[]> {
    if (this.childrenCache !== null) return this.childrenCache;
    const children = new Map<string, string[]>();
    for (const [child, parent] of this.parents) {
      if (parent === null) continue;
      const siblings = children.get(parent);
      if (siblings === undefined) children.set(parent, [child]);
      else siblings.push(child);
    }
    this.childrenCache = children;
    return children;
  }
}
