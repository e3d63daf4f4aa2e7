import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CsError } from '@cs/runtime';
import { isAlive } from './process-control.js';

/**
 * A cross-process lock on a profile directory (mkdir is atomic), so two `stack up`s — say two
 * test runs started together — don't both start Kafka. A lock whose holder died is taken over.
 */
export async function withStackLock<T>(
  profileDir: string,
  task: () => Promise<T>,
  timeoutMs = 300_000,
): Promise<T> {
  const lockDir = join(profileDir, '.lock');
  const ownerFile = join(lockDir, 'owner');
  mkdirSync(profileDir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(ownerFile, 'utf8'));
      } catch {
        // The owner file is written right after the mkdir; a moment without it is normal.
      }
      if (Number.isInteger(owner) && !isAlive(owner))
        rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new CsError(
          'STACK_LOCKED',
          `${lockDir} is held by pid ${owner}; is another stack command running?`,
        );
      await sleep(200);
    }
  }
  try {
    return await task();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
