// The processors and the sink of the new generation, run by `cs rebuild` as child processes from
// the same entry points `npm start` runs (scripts/app-services.ts), each logging to a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CsError } from '@cs/runtime';
import type { ReplayedServiceName } from './rebuild-options.js';

/** services/cli/{src,dist}/rebuild/ → the repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const ENTRIES: Record<ReplayedServiceName, { entry: string; portEnv: string }> = {
  sessionizer: {
    entry: 'services/sessionizer/src/service/main.ts',
    portEnv: 'CS_SESSIONIZER_METRICS_PORT',
  },
  enricher: { entry: 'services/enricher/src/service/main.ts', portEnv: 'CS_ENRICHER_METRICS_PORT' },
  billing: { entry: 'services/billing/src/service/main.ts', portEnv: 'CS_BILLING_METRICS_PORT' },
  sink: { entry: 'services/sink/src/main.ts', portEnv: 'METRICS_PORT' },
};

export interface ReplayProcess {
  name: ReplayedServiceName;
  child: ChildProcess;
  logFile: string;
}

/** Starts one service with `env` on top of this process's environment, metrics on a free port. */
export function startReplayProcess(
  name: ReplayedServiceName,
  env: Record<string, string>,
  logDir: string,
): ReplayProcess {
  const { entry, portEnv } = ENTRIES[name];
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(
      process.execPath,
      ['--conditions=@cs/source', '--import', 'tsx', join(REPO_ROOT, entry)],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env, [portEnv]: '0' },
        stdio: ['ignore', log, log],
      },
    );
    return { name, child, logFile };
  } finally {
    closeSync(log);
  }
}

/** Throws naming the first process that has exited (they should run until stopped). */
export function checkAlive(processes: readonly ReplayProcess[]): void {
  for (const { name, child, logFile } of processes) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new CsError(
        'REBUILD_SERVICE_DIED',
        `the replaying ${name} exited (${child.exitCode === null ? String(child.signalCode) : `code ${String(child.exitCode)}`}); see ${logFile}`,
      );
    }
  }
}

/** SIGTERM (the services drain and commit), SIGKILL after `graceMs`. */
export async function stopReplayProcess({ child }: ReplayProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
