import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CsError } from '@cs/runtime';
import { cacheDir, repoRoot } from './paths.js';
import type { StackProfile } from './profile.js';
import { isComplete, markComplete, mavenCopyDependencies, run } from './provision.js';
import { findJava } from './java.js';
import { startDetached } from './process-control.js';
import { httpOk, logFileOf, pidFileOf, type Log, type ServiceDefinition } from './service.js';
import { withMavenLock } from './maven-lock.js';

export const APICURIO_VERSION = '3.3.3';
const downloadDir = join(cacheDir, `apicurio-registry-${APICURIO_VERSION}-download`);
const appDir = join(cacheDir, `apicurio-registry-${APICURIO_VERSION}`);

/** The Confluent-compatible API of a registry on this profile. */
export function ccompatUrl(profile: StackProfile): string {
  return `http://127.0.0.1:${profile.ports.registry}/apis/ccompat/v7`;
}

/** Sets the registry-wide default compatibility (subjects without their own setting use it). */
export async function setGlobalCompatibility(
  registryUrl: string,
  level: 'BACKWARD' | 'NONE' | 'FULL' | 'FORWARD',
): Promise<void> {
  const response = await fetch(`${registryUrl}/config`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: level }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  if (!response.ok) {
    throw new CsError(
      'REGISTRY_CONFIG_FAILED',
      `setting global compatibility ${level} at ${registryUrl} failed: HTTP ${response.status} ${body}`,
    );
  }
}

export const registryService: ServiceDefinition = {
  name: 'registry',
  startTimeoutMs: 120_000,
  ports: (profile) => [
    { port: profile.ports.registry, what: 'schema registry', envKey: 'CS_REGISTRY_PORT' },
    {
      port: profile.ports.registryManagement,
      what: 'schema registry management',
      envKey: 'CS_REGISTRY_MANAGEMENT_PORT',
    },
  ],

  async provision(log: Log) {
    if (isComplete(appDir)) return;
    if (!isComplete(downloadDir)) {
      log(
        `downloading Apicurio Registry ${APICURIO_VERSION} from Maven Central into ${downloadDir}`,
      );
      await withMavenLock(() =>
        mavenCopyDependencies(
          join(repoRoot, 'infra', 'registry', 'pom.xml'),
          downloadDir,
          `Apicurio Registry ${APICURIO_VERSION}`,
        ),
      );
      markComplete(downloadDir);
    }
    const archive = readdirSync(downloadDir).find((file) => file.endsWith('.tar.gz'));
    if (archive === undefined)
      throw new CsError(
        'DOWNLOAD_FAILED',
        `no registry archive in ${downloadDir}; delete it and retry`,
      );
    rmSync(appDir, { recursive: true, force: true });
    mkdirSync(appDir, { recursive: true });
    const result = await run('tar', ['xzf', join(downloadDir, archive), '-C', appDir]);
    if (result.code !== 0 || !existsSync(join(appDir, 'quarkus-run.jar'))) {
      throw new CsError(
        'DOWNLOAD_FAILED',
        `unpacking ${archive} failed: ${result.output.slice(-1000)}`,
      );
    }
    markComplete(appDir);
  },

  async start(profile: StackProfile, log: Log) {
    const java = await findJava(21, log);
    const dataDir = join(profile.dir, 'registry', 'data');
    mkdirSync(dataDir, { recursive: true });
    return startDetached({
      command: java,
      args: [
        `-Xmx${process.env.CS_REGISTRY_HEAP ?? '384m'}`,
        '-XX:+UseSerialGC',
        '-Djava.awt.headless=true',
        '-jar',
        join(appDir, 'quarkus-run.jar'),
      ],
      cwd: appDir,
      env: {
        ...process.env,
        // NOTE: schema ids are written into every Kafka record, so they must survive a restart:
        // H2 in file mode under the profile's data directory, not the default in-memory store.
        APICURIO_STORAGE_KIND: 'sql',
        APICURIO_STORAGE_SQL_KIND: 'h2',
        APICURIO_DATASOURCE_URL: `jdbc:h2:file:${join(dataDir, 'registry')}`,
        QUARKUS_HTTP_HOST: '127.0.0.1',
        QUARKUS_HTTP_PORT: String(profile.ports.registry),
        // NOTE: the management interface is enabled at build time and would bind 0.0.0.0:9000;
        // keep it on loopback and on a port of the profile.
        QUARKUS_MANAGEMENT_HOST: '127.0.0.1',
        QUARKUS_MANAGEMENT_PORT: String(profile.ports.registryManagement),
        QUARKUS_OTEL_SDK_DISABLED: 'true',
        QUARKUS_LOG_CONSOLE_JSON: 'false',
      },
      logFile: logFileOf(profile, 'registry'),
      pidFile: pidFileOf(profile, 'registry'),
    });
  },

  ready: (profile) => httpOk(`${ccompatUrl(profile)}/config`),

  async afterReady(profile: StackProfile) {
    await setGlobalCompatibility(ccompatUrl(profile), 'BACKWARD');
  },
};
