// `npm run stack:up|stack:down|stack:status` (or `scripts/stack up|down|status`): the real services
// on this machine — Kafka (KRaft), the Apicurio schema registry and the embedded ClickHouse.
// Options: --profile NAME (default: $CS_STACK or `default`), then optional service names.
import { parseArgs } from 'node:util';
import { errorMessage } from '@cs/runtime';
import {
  SERVICE_NAMES,
  stackDown,
  stackProfile,
  stackStatus,
  stackUp,
  type ServiceName,
  type ServiceReport,
} from '@cs/infra';

const USAGE = `usage: scripts/stack up|down|status [--profile NAME] [kafka|registry|warehouse ...]`;

function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

function printTable(reports: ServiceReport[]): void {
  for (const report of reports) {
    const timing =
      report.startSeconds === undefined
        ? ''
        : `  provision ${String(report.provisionSeconds ?? 0)} s, start ${report.startSeconds} s`;
    const pid = report.pid === undefined ? '' : ` pid ${report.pid}`;
    console.log(
      `  ${report.service.padEnd(10)} ${report.state.padEnd(9)}${pid}${timing}  log ${report.logFile}`,
    );
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...names] = positionals;
  if (values.help === true || command === undefined) {
    console.log(USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const unknown = names.filter((name) => !isServiceName(name));
  if (unknown.length > 0) {
    console.error(
      `unknown service ${unknown.join(', ')}; services are ${SERVICE_NAMES.join(', ')}`,
    );
    return 2;
  }
  const services = names.filter(isServiceName);
  const profile = stackProfile(values.profile);
  const selected = services.length > 0 ? services : undefined;

  switch (command) {
    case 'up': {
      const started = Date.now();
      const result = await stackUp(profile, { services: selected });
      console.log(
        `stack '${profile.name}' is up in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
      );
      printTable(result.services);
      console.log(`  KAFKA_BROKERS=${result.urls.kafkaBrokers.join(',')}`);
      console.log(`  SCHEMA_REGISTRY_URL=${result.urls.schemaRegistryUrl}`);
      console.log(`  CLICKHOUSE_URL=${result.urls.clickhouseUrl}`);
      return 0;
    }
    case 'down':
      printTable(await stackDown(profile, { services: selected }));
      return 0;
    case 'status': {
      const reports = await stackStatus(profile);
      console.log(`stack '${profile.name}' (${profile.dir}):`);
      printTable(reports);
      return reports.every((report) => report.state === 'running') ? 0 : 1;
    }
    default:
      console.error(`unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`stack: ${errorMessage(error)}`);
    process.exit(1);
  },
);
