// The project's own services that `npm start` runs in the foreground next to the stack: each a
// child process running its TypeScript entry point, logging to .infra/run/<profile>/logs/<name>.log,
// ready when its readiness URL answers 200, stopped with SIGTERM (graceful) on the way out.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CsError } from '@cs/runtime';
import { repoRoot } from '@cs/infra';

export interface AppService {
  name: string;
  /** Entry point, relative to the repo root. */
  entry: string;
  env: Record<string, string>;
  readyUrl: string;
  /** What to print once it runs. */
  describe: string;
}

export interface RunningApp {
  service: AppService;
  child: ChildProcess;
  logFile: string;
}

/** The app services of this checkout for a profile (those whose entry point exists). */
export function appServices(urls: {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  clickhouseUrl: string;
}): AppService[] {
  const common = {
    KAFKA_BROKERS: urls.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: urls.schemaRegistryUrl,
    CLICKHOUSE_URL: urls.clickhouseUrl,
  };
  const gatewayPort = process.env.CS_GATEWAY_PORT ?? '18080';
  const candidates: AppService[] = [
    {
      name: 'gateway',
      entry: 'services/gateway/src/main.ts',
      env: { ...common, CS_GATEWAY_PORT: gatewayPort },
      readyUrl: `http://127.0.0.1:${gatewayPort}/readyz`,
      describe: `http://127.0.0.1:${gatewayPort}   (POST /v1/events, Segment /v1/track|identify|group|batch)`,
    },
  ];
  return candidates.filter((service) => existsSync(join(repoRoot, service.entry)));
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export async function startApp(
  service: AppService,
  logDir: string,
  timeoutMs = 60_000,
): Promise<RunningApp> {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${service.name}.log`);
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      ['--conditions=@cs/source', '--import', 'tsx', join(repoRoot, service.entry)],
      {
        cwd: repoRoot,
        env: { ...process.env, ...service.env },
        stdio: ['ignore', log, log],
      },
    );
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new CsError(
        'SERVICE_DIED',
        `${service.name} exited with code ${child.exitCode} during start-up; see ${logFile}`,
      );
    }
    if (await answers(service.readyUrl)) return { service, child, logFile };
    await sleep(250);
  }
  child.kill('SIGKILL');
  throw new CsError(
    'SERVICE_TIMEOUT',
    `${service.name} was not ready within ${timeoutMs / 1000} s; see ${logFile}`,
  );
}

/** SIGTERM, and SIGKILL after `graceMs` if it has not exited. */
export async function stopApp(app: RunningApp, graceMs = 15_000): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => app.child.once('exit', () => resolve()));
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
