import { CsError, errorMessage } from '@cs/runtime';
import { kafkaService } from './kafka.js';
import {
  isPortFree,
  removeFile,
  runningPid,
  stopProcess,
  waitUntilReady,
} from './process-control.js';
import { SERVICE_NAMES, serviceUrls, type ServiceName, type StackProfile } from './profile.js';
import { registryService } from './registry.js';
import { logFileOf, pidFileOf, type Log, type ServiceDefinition } from './service.js';
import { withStackLock } from './stack-lock.js';
import { warehouseService } from './warehouse.js';

const DEFINITIONS: Record<ServiceName, ServiceDefinition> = {
  kafka: kafkaService,
  registry: registryService,
  warehouse: warehouseService,
};

export interface ServiceReport {
  service: ServiceName;
  /** `started` now, `running` already (left as it was), `stopped`, `unhealthy` (pid alive, not answering). */
  state: 'started' | 'running' | 'stopped' | 'unhealthy';
  pid?: number;
  /** Seconds spent provisioning (downloads, unpacking) and starting until ready. */
  provisionSeconds?: number;
  startSeconds?: number;
  logFile: string;
}

export interface StackUpResult {
  profile: StackProfile;
  urls: ReturnType<typeof serviceUrls>;
  services: ServiceReport[];
  /** The services this call started (the ones a caller that owns them should stop again). */
  started: ServiceName[];
}

const seconds = (from: number): number => Math.round((Date.now() - from) / 100) / 10;

async function assertPortsFree(
  definition: ServiceDefinition,
  profile: StackProfile,
): Promise<void> {
  for (const { port, what, envKey } of definition.ports(profile)) {
    if (!(await isPortFree(port))) {
      throw new CsError(
        'PORT_TAKEN',
        `port ${port} (${what}) is taken by another process; stop it, or choose another port with ${envKey}=…`,
      );
    }
  }
}

async function upOne(
  definition: ServiceDefinition,
  profile: StackProfile,
  log: Log,
): Promise<ServiceReport> {
  const name = definition.name;
  const pidFile = pidFileOf(profile, name);
  const logFile = logFileOf(profile, name);
  const existing = runningPid(pidFile);
  if (existing !== undefined) {
    if (await definition.ready(profile).catch(() => false)) {
      return { service: name, state: 'running', pid: existing, logFile };
    }
    // Our own process, not answering (still starting, or wedged): wait for it like a fresh start.
    await waitUntilReady({
      name,
      pid: existing,
      logFile,
      timeoutMs: definition.startTimeoutMs,
      ready: () => definition.ready(profile),
    });
    return { service: name, state: 'running', pid: existing, logFile };
  }
  removeFile(pidFile);
  await assertPortsFree(definition, profile);
  const provisionStarted = Date.now();
  await definition.provision((line) => log(`${name}: ${line}`));
  const provisionSeconds = seconds(provisionStarted);
  const startStarted = Date.now();
  const pid = await definition.start(profile, (line) => log(`${name}: ${line}`));
  await waitUntilReady({
    name,
    pid,
    logFile,
    timeoutMs: definition.startTimeoutMs,
    ready: () => definition.ready(profile),
  });
  await definition.afterReady?.(profile);
  const startSeconds = seconds(startStarted);
  log(`${name}: ready in ${startSeconds} s (pid ${pid}, log ${logFile})`);
  return { service: name, state: 'started', pid, provisionSeconds, startSeconds, logFile };
}

/**
 * Provisions and starts the services of a profile, in parallel, idempotently: a service already
 * running is left as it is. On failure, what this call started is stopped again.
 */
export async function stackUp(
  profile: StackProfile,
  options: { services?: ServiceName[]; log?: Log } = {},
): Promise<StackUpResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const wanted = options.services ?? [...SERVICE_NAMES];
  return withStackLock(profile.dir, async () => {
    const results = await Promise.allSettled(
      wanted.map((name) => upOne(DEFINITIONS[name], profile, log)),
    );
    const reports = results.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected'
        ? [`${wanted[index] ?? '?'}: ${errorMessage(result.reason)}`]
        : [],
    );
    const started = reports
      .filter((report) => report.state === 'started')
      .map((report) => report.service);
    if (failures.length > 0) {
      await stopServices(profile, started, log);
      throw new CsError('STACK_UP_FAILED', `the stack did not come up:\n${failures.join('\n')}`);
    }
    return { profile, urls: serviceUrls(profile), services: reports, started };
  });
}

async function stopServices(
  profile: StackProfile,
  services: ServiceName[],
  log: Log,
): Promise<ServiceReport[]> {
  // Reverse dependency order: the warehouse and registry before the broker they may talk to.
  const order = [...services].sort((a, b) => SERVICE_NAMES.indexOf(b) - SERVICE_NAMES.indexOf(a));
  const reports: ServiceReport[] = [];
  for (const name of order) {
    const pidFile = pidFileOf(profile, name);
    const pid = runningPid(pidFile);
    if (pid !== undefined) {
      const how = await stopProcess(pid);
      log(`${name}: ${how} (pid ${pid})`);
    }
    removeFile(pidFile);
    reports.push({ service: name, state: 'stopped', logFile: logFileOf(profile, name) });
  }
  return reports;
}

/** Stops the services of a profile (all by default); data and logs stay. */
export function stackDown(
  profile: StackProfile,
  options: { services?: ServiceName[]; log?: Log } = {},
): Promise<ServiceReport[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  return withStackLock(profile.dir, () =>
    stopServices(profile, options.services ?? [...SERVICE_NAMES], log),
  );
}

/** Each service's state: running and answering, running and not answering, or stopped. */
export async function stackStatus(profile: StackProfile): Promise<ServiceReport[]> {
  return Promise.all(
    SERVICE_NAMES.map(async (name): Promise<ServiceReport> => {
      const pid = runningPid(pidFileOf(profile, name));
      const logFile = logFileOf(profile, name);
      if (pid === undefined) return { service: name, state: 'stopped', logFile };
      const ok = await DEFINITIONS[name].ready(profile).catch(() => false);
      return { service: name, state: ok ? 'running' : 'unhealthy', pid, logFile };
    }),
  );
}
