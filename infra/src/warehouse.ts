import { join } from 'node:path';
import { repoRoot } from './paths.js';
import type { StackProfile } from './profile.js';
import { startDetached } from './process-control.js';
import { httpOk, logFileOf, pidFileOf, type ServiceDefinition } from './service.js';

/** The embedded warehouse: services/warehouse (chDB behind the ClickHouse HTTP interface). */
export const warehouseService: ServiceDefinition = {
  name: 'warehouse',
  startTimeoutMs: 60_000,
  ports: (profile) => [
    {
      port: profile.ports.warehouse,
      what: 'embedded warehouse (ClickHouse HTTP)',
      envKey: 'CS_WAREHOUSE_PORT',
    },
  ],

  // chDB's engine comes with the npm install (@chdb/lib-linux-x64-gnu); nothing to download here.
  provision: () => Promise.resolve(),

  start(profile: StackProfile) {
    const pid = startDetached({
      command: process.execPath,
      args: [
        // NOTE: a 1 MB young-generation semi-space (V8's default grows to 16 MB, three times over)
        // keeps the host's JS heap ~20 MB smaller; the host allocates little besides request bodies,
        // so the extra scavenges cost nothing measurable. Part of the warehouse's 512 MB budget
        // (services/warehouse/README.md "Memory").
        '--max-semi-space-size=1',
        '--conditions=@cs/source',
        '--import',
        'tsx',
        join(repoRoot, 'services', 'warehouse', 'src', 'main.ts'),
      ],
      cwd: repoRoot,
      env: {
        ...process.env,
        CS_WAREHOUSE_HOST: '127.0.0.1',
        CS_WAREHOUSE_PORT: String(profile.ports.warehouse),
        CS_WAREHOUSE_DATA: join(profile.dir, 'warehouse', 'data'),
      },
      logFile: logFileOf(profile, 'warehouse'),
      pidFile: pidFileOf(profile, 'warehouse'),
    });
    return Promise.resolve(pid);
  },

  ready: (profile) => httpOk(`http://127.0.0.1:${profile.ports.warehouse}/ping`),
};
