/**
 * Ratios of whole milliseconds. docs/metrics.md: "Ratios are rounded to whole ms". NOTE: ClickHouse
 * divides integers into a Float64 and `round()` on a Float64 rounds a tie to even, so a tie goes to
 * the even neighbour here too (1 ms ÷ 2 → 0, 3 ms ÷ 2 → 2).
 */
export function roundedMsRatio(totalMs: number, divisor: number): number {
  if (divisor === 0) return 0;
  const quotient = Math.floor(totalMs / divisor);
  const twiceRemainder = 2 * (totalMs - quotient * divisor);
  if (twiceRemainder < divisor) return quotient;
  if (twiceRemainder > divisor) return quotient + 1;
  return quotient % 2 === 0 ? quotient : quotient + 1;
}

/**
 * Activity rank: 100 × (entries with strictly less activity) ÷ (n − 1); 0 when n = 1. Returns the
 * rank of every entry, in input order.
 */
export function activityRanks(activity: readonly number[]): number[] {
  const n = activity.length;
  if (n <= 1) return activity.map(() => 0);
  const sorted = [...activity].sort((a, b) => a - b);
  return activity.map((value) => (100 * countBelow(sorted, value)) / (n - 1));
}

/** Number of entries of an ascending array strictly below `value` (binary search). */
function countBelow(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? 0) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
