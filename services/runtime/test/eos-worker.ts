/**
 * A stream processor in a child process, for the exactly-once crash test: the test SIGKILLs it at
 * an arbitrary instant (usually with a transaction open) and checks what a restart makes of it.
 * Env: BROKERS, INPUT, OUTPUT, DLQ, GROUP.
 */
import { logLevel } from 'kafkajs';
import { createConsumerShell } from '../src/consumer/consumer-shell.js';
import { outcome } from '../src/consumer/outcome.js';
import { createLogger } from '../src/logger.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

const output = env('OUTPUT');
const shell = createConsumerShell<string>({
  config: {
    brokers: env('BROKERS').split(','),
    clientId: 'eos-worker',
    groupId: env('GROUP'),
    topics: [env('INPUT')],
    dlqTopic: env('DLQ'),
    mode: 'exactly-once',
    commitEvery: 5,
    metricsPort: 0,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    maxWaitTimeMs: 200,
  },
  decode: (record) => Promise.resolve(record.value?.toString('utf8') ?? ''),
  handle: async ({ data, source }) => {
    await new Promise((resolve) => setTimeout(resolve, 3));
    return outcome.ok([{ topic: output, key: source.key, value: Buffer.from(`out:${data}`) }]);
  },
  kafkaLogLevel: logLevel.NOTHING,
  logger: createLogger({ component: 'eos-worker', level: 'error' }),
});
await shell.start();
process.stdout.write('started\n');
