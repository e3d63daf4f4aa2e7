import { createHash } from 'node:crypto';

/**
 * A session's id: the first 32 hex digits (128 bits) of SHA-256 over
 * `tenant \0 userId \0 day \0 firstEventId`. It depends only on the events, so a replay or a
 * restarted process names the same session the same way, and a correction that changes a
 * session's first event gives it a new id (the old one is retracted).
 */
export function sessionIdOf(
  tenant: string,
  userId: string,
  day: string,
  firstEventId: string,
): string {
  return createHash('sha256')
    .update(`${tenant}\u0000${userId}\u0000${day}\u0000${firstEventId}`)
    .digest('hex')
    .slice(0, 32);
}
