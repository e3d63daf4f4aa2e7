import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Two tiers: `*.test.ts` are unit tests (pure logic, no network); `*.integration.test.ts` talk to
// real Kafka, a real schema registry and the real ClickHouse engine, which the integration global
// setup finds or provisions once per run (see infra/src/testing/global-setup.ts).
//
// Workspace packages export their TypeScript sources under the `@cs/source` condition (and built
// JS otherwise). Vite's condition handling differs between the test runner and the global setup,
// so the same mapping is given to vite as aliases, read from each workspace's package.json.
function workspaceSourceAliases(): Array<{ find: string; replacement: string }> {
  const dirs = ['schemas', 'infra', ...readdirSync('services').map((dir) => join('services', dir))];
  const aliases: Array<{ find: string; replacement: string }> = [];
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      exports?: Record<string, { '@cs/source'?: string }>;
    };
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const source = target['@cs/source'];
      if (source === undefined) continue;
      aliases.push({ find: join(pkg.name, subpath), replacement: resolve(dir, source) });
    }
  }
  // Longest first, so `@cs/infra/testing` is not taken for `@cs/infra` + `/testing`.
  return aliases.sort((a, b) => b.find.length - a.find.length);
}

const aliases = workspaceSourceAliases().map(({ find, replacement }) => ({
  find: new RegExp(`^${find.replace(/[/]/g, '\\/')}$`),
  replacement,
}));

export default defineConfig({
  resolve: { alias: aliases },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{schemas,infra,services}/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**', '**/dist/**'],
          pool: 'threads',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            '{schemas,infra,services}/**/*.integration.test.ts',
            'scripts/**/*.integration.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['infra/src/testing/global-setup.ts'],
          // NOTE: chDB must not run in worker_threads (it crashes there); forks keep every test
          // file that may touch it in a process of its own.
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
