import { defineConfig } from 'vitest/config';

// Two tiers: `*.test.ts` are unit tests (pure logic, no network); `*.integration.test.ts` talk to
// real Kafka, a real schema registry and the real ClickHouse engine, which the integration global
// setup finds or provisions once per run (see infra/src/testing/global-setup.ts).
const sourceCondition = { conditions: ['@cs/source', 'node', 'import', 'default'] };

export default defineConfig({
  resolve: sourceCondition,
  ssr: { resolve: { conditions: ['@cs/source'], externalConditions: ['@cs/source'] } },
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
