import type { StackProfile, ServiceName } from './profile.js';

export type Log = (line: string) => void;

/** How the stack provisions, starts and probes one real service. */
export interface ServiceDefinition {
  name: ServiceName;
  /** Ports it binds, named for the error when one is taken. */
  ports(profile: StackProfile): Array<{ port: number; what: string; envKey: string }>;
  /** Fetches and unpacks what it needs into the cache; a no-op when cached. */
  provision(log: Log): Promise<void>;
  /** Starts it detached; returns the pid. */
  start(profile: StackProfile, log: Log): Promise<number>;
  /** One readiness probe: true when it serves requests. */
  ready(profile: StackProfile): Promise<boolean>;
  /** Set-up that needs it running (e.g. the registry's global compatibility). */
  afterReady?(profile: StackProfile): Promise<void>;
  startTimeoutMs: number;
}

export function logFileOf(profile: StackProfile, name: ServiceName): string {
  return `${profile.logDir}/${name}.log`;
}

export function pidFileOf(profile: StackProfile, name: ServiceName): string {
  return `${profile.dir}/${name}.pid`;
}

/** GET a URL with a short timeout; true on the expected status. */
export async function httpOk(
  url: string,
  init: RequestInit = {},
  timeoutMs = 2000,
): Promise<boolean> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.ok;
}
