/**
 * The latest-state rule of entity records (CONTRACT §1), for invoices and tickets: the record with
 * the latest `ts` wins, and on equal `ts` the one that arrived later, i.e. `incoming`, because a
 * caller passes records in arrival order. Returns the winner (the same object it was given).
 *
 * The caller keys states by entity (`tenant`, `invoiceId` / `ticketId`); the warehouse applies the
 * same rule with (`ts`, `seq`), so these states agree with `invoices_current` / `tickets_current`.
 */
export function reduceLatest<State extends { ts: number }>(
  current: State | undefined,
  incoming: State,
): State {
  if (current === undefined) return incoming;
  return incoming.ts >= current.ts ? incoming : current;
}
