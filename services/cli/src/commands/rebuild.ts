import { EXIT_OK, processIo } from '../command.js';
import type { CliIo, Command } from '../command.js';
import { REBUILD_DEFAULTS, parseRebuildArgs, parseRebuildEnv } from '../rebuild/rebuild-options.js';
import { rebuild } from '../rebuild/rebuild.js';

const usage = `Usage: cs rebuild [flags]

Replays the raw topics from their beginning through a new pipeline generation (sessionizer,
enricher, billing and sink as child processes, new derived topics and consumer groups) into fresh
tables, then swaps those in for the live fact tables with EXCHANGE TABLES and records the new
generation as current; the old generation's tables, topics and groups are dropped. Analysts keep
querying the old figures until the swap. Ingestion (gateway, cs ingest) may go on meanwhile.

Stop the processors and the sink first (Ctrl-C npm start): the rebuild refuses while their
consumer groups have members. Start them again afterwards; npm start picks up the new generation.

Flags:
  -d, --database NAME    analyst database; facts in NAME_facts (default CLICKHOUSE_DATABASE, else cs)
  --timeout D            give up the replay after D: 90 (s), 90s, 10m, 1h (default ${String(REBUILD_DEFAULTS.timeoutMs / 60_000)}m)
  --progress-every D     progress line interval (default ${String(REBUILD_DEFAULTS.progressMs / 1000)}s)
  -h, --help             show this help

Environment:
  KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CLICKHOUSE_URL (CLICKHOUSE_USER, CLICKHOUSE_PASSWORD)
  CS_TOPIC_PREFIX, CS_TOPIC_PARTITIONS, …   the topic catalog (see @cs/schemas)
  CS_TENANTS_FILE                           the tenants file the replaying services read
  CS_SESSIONIZER_GROUP_ID, CS_ENRICHER_GROUP_ID, CS_BILLING_GROUP_ID, CS_SINK_GROUP
                         generation-0 group names (defaults cs-sessionizer, …); a generation
                         n > 0 uses NAME.g<n>

Exit codes: 0 rebuilt and swapped; 1 a step failed (the message names it, and says that nothing
live changed when it failed before the swap) or the services are running; 2 bad usage.
`;

async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const options = parseRebuildArgs(argv, io.env);
  const env = parseRebuildEnv(io.env);
  const report = await rebuild({
    options,
    env,
    processEnv: io.env,
    say: (line) => io.stderr.write(`${line}\n`),
  });
  for (const warning of report.warnings) io.stderr.write(`cs rebuild: warning: ${warning}\n`);
  io.stdout.write(
    `rebuilt: generation ${String(report.generation)} (was ${String(report.previousGeneration)}), ` +
      `${String(report.rawRecords)} raw records replayed, ${String(report.tables.length)} tables ` +
      `swapped, ${(report.elapsedMs / 1000).toFixed(1)} s\n`,
  );
  return EXIT_OK;
}

export const rebuildCommand: Command = {
  name: 'rebuild',
  summary: 'Replay the raw topics into fresh tables and swap them in atomically',
  usage,
  run,
};
