import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CsError } from '@cs/runtime';

/** Whether nothing listens on 127.0.0.1:port (we can bind it ourselves). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM means it exists but belongs to someone else: alive all the same.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid recorded in a pid file, if that process still runs. */
export function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return pid;
}

export interface DetachedProcess {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  pidFile: string;
}

/**
 * Starts a process in its own process group with stdout and stderr appended to its log file, and
 * records its pid; it outlives the caller (`stack up` returns while the services run on).
 */
export function startDetached(spec: DetachedProcess): number {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) {
      throw new CsError(
        'SPAWN_FAILED',
        `could not start ${spec.command}: no pid (is it installed?)`,
      );
    }
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM to the process group, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(pid: number, graceMs = 15_000): Promise<'stopped' | 'killed'> {
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Not a group leader (or already gone): signal the process itself.
      try {
        process.kill(pid, signal);
      } catch (error: unknown) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  };
  signalGroup('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  signalGroup('SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return 'killed';
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

/** The last lines of a log file, to put in an error message when a service fails to start. */
export function tailOf(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log yet)';
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}

/**
 * Polls `ready` until it returns true. Fails early when the process died, and on timeout, with
 * the tail of the service's log in the message.
 */
export async function waitUntilReady(options: {
  name: string;
  pid: number;
  logFile: string;
  timeoutMs: number;
  ready: () => Promise<boolean>;
}): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await options.ready().catch(() => false)) return;
    if (!isAlive(options.pid)) {
      throw new CsError(
        'SERVICE_DIED',
        `${options.name} exited during start-up; last lines of ${options.logFile}:\n${tailOf(options.logFile)}`,
      );
    }
    await sleep(250);
  }
  throw new CsError(
    'SERVICE_TIMEOUT',
    `${options.name} was not ready within ${Math.round(options.timeoutMs / 1000)} s; last lines of ${options.logFile}:\n${tailOf(options.logFile)}`,
  );
}
