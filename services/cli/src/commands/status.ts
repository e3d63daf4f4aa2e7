import { Kafka, logLevel } from 'kafkajs';
import { errorMessage } from '@cs/runtime';
import { z } from 'zod';
import { parseEnv } from '@cs/runtime';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, processIo } from '../command.js';
import type { CliIo, Command } from '../command.js';
import { checkComponents, type ComponentStatus } from '../status/components.js';
import { consumerGroupLag, type PartitionLag } from '../status/consumer-lag.js';

const usage = `Usage: cs status [--json]

Shows whether every component answers — Kafka, the schema registry, ClickHouse, the gateway, the
stream processors and the sink (each by its health endpoint) — and the lag of every consumer
group whose id starts with cs- (per topic and partition).

Options:
      --json           print one JSON object instead of tables
      --groups PREFIX  consumer groups to report (default cs-)
  -h, --help           show this help

Environment (defaults: the local stack of npm start):
  KAFKA_BROKERS        127.0.0.1:19092
  SCHEMA_REGISTRY_URL  http://127.0.0.1:18081/apis/ccompat/v7
  CLICKHOUSE_URL       http://127.0.0.1:18123
  CS_GATEWAY_URL       http://127.0.0.1:18080
  CS_SESSIONIZER_URL, CS_BILLING_URL, CS_ENRICHER_URL, CS_SINK_URL
                       the processors' health endpoints (http://127.0.0.1:18201 … 18204)

Exit codes: 0 every component up, 1 something is down or degraded, 2 bad usage.
`;

const statusEnvSchema = z.object({
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
  SCHEMA_REGISTRY_URL: z.url().default('http://127.0.0.1:18081/apis/ccompat/v7'),
  CLICKHOUSE_URL: z.url().default('http://127.0.0.1:18123'),
  CS_GATEWAY_URL: z.url().default('http://127.0.0.1:18080'),
  CS_SESSIONIZER_URL: z.url().default('http://127.0.0.1:18201'),
  CS_ENRICHER_URL: z.url().default('http://127.0.0.1:18203'),
  CS_BILLING_URL: z.url().default('http://127.0.0.1:18202'),
  CS_SINK_URL: z.url().default('http://127.0.0.1:18204'),
});

function pad(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return (
    rows
      .map((row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function formatComponents(components: readonly ComponentStatus[]): string {
  return pad([
    ['COMPONENT', 'STATE', 'ADDRESS', 'DETAIL'],
    ...components.map((c) => [c.name, c.state, c.address, c.detail]),
  ]);
}

export function formatLag(rows: readonly PartitionLag[]): string {
  if (rows.length === 0) return 'no consumer groups yet\n';
  return pad([
    ['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG'],
    ...rows.map((r) => [
      r.group,
      r.topic,
      String(r.partition),
      r.committed === null ? '-' : String(r.committed),
      String(r.end),
      String(r.lag),
    ]),
  ]);
}

async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { json: { type: 'boolean' }, groups: { type: 'string' } },
    false,
  );
  const env = parseEnv(statusEnvSchema, io.env);
  const kafkaBrokers = env.KAFKA_BROKERS.split(',');
  const components = await checkComponents({
    kafkaBrokers,
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL,
    clickhouseUrl: env.CLICKHOUSE_URL,
    services: [
      { name: 'gateway', healthUrl: `${env.CS_GATEWAY_URL}/readyz` },
      { name: 'sessionizer', healthUrl: `${env.CS_SESSIONIZER_URL}/healthz` },
      { name: 'enricher', healthUrl: `${env.CS_ENRICHER_URL}/healthz` },
      { name: 'billing', healthUrl: `${env.CS_BILLING_URL}/healthz` },
      { name: 'sink', healthUrl: `${env.CS_SINK_URL}/healthz` },
    ],
  });
  let lag: PartitionLag[] = [];
  let lagError: string | undefined;
  if (components[0]?.state === 'up') {
    const admin = new Kafka({
      clientId: 'cs-status',
      brokers: kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      lag = await consumerGroupLag(admin, values.groups ?? 'cs-');
    } catch (error: unknown) {
      lagError = errorMessage(error);
    } finally {
      await admin.disconnect();
    }
  }
  if (values.json === true) {
    const json = {
      components,
      lag: lag.map((row) => ({
        ...row,
        committed: row.committed?.toString() ?? null,
        end: row.end.toString(),
        lag: row.lag.toString(),
      })),
      lagError,
    };
    io.stdout.write(JSON.stringify(json) + '\n');
  } else {
    io.stdout.write(
      formatComponents(components) +
        '\n' +
        (lagError === undefined ? formatLag(lag) : `consumer lag unavailable: ${lagError}\n`),
    );
  }
  return components.every((component) => component.state === 'up') && lagError === undefined
    ? EXIT_OK
    : EXIT_FAILURE;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show whether every component is up, and the lag of every consumer group',
  usage,
  run,
};
