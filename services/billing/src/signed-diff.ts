/**
 * The rows to retract and to add to turn the multiset `before` into the multiset `after`, each in
 * its list's order. Rows are compared by `keyOf`, which must cover every emitted field, because a
 * retraction has to repeat the retracted row exactly for the warehouse to net it out.
 */
export function signedDiff<Row>(
  before: readonly Row[],
  after: readonly Row[],
  keyOf: (row: Row) => string,
): { retracted: Row[]; added: Row[] } {
  const unmatched = new Map<string, number>();
  for (const row of before) {
    const key = keyOf(row);
    unmatched.set(key, (unmatched.get(key) ?? 0) + 1);
  }
  const added: Row[] = [];
  for (const row of after) {
    const key = keyOf(row);
    const count = unmatched.get(key) ?? 0;
    if (count > 0) unmatched.set(key, count - 1);
    else added.push(row);
  }
  const retracted: Row[] = [];
  for (const row of before) {
    const key = keyOf(row);
    const count = unmatched.get(key) ?? 0;
    if (count === 0) continue;
    unmatched.set(key, count - 1);
    retracted.push(row);
  }
  return { retracted, added };
}
