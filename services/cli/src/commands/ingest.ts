import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsError, createLogger, errorMessage, type LogLevel } from '@cs/runtime';
import { createPublisher } from '@cs/publisher';
import { topicCatalogFromEnv, type RegistryErrorCode } from '@cs/schemas';
import { EXIT_FAILURE, processIo } from '../command.js';
import type { CliIo, Command } from '../command.js';
import { LineWriter } from '../generate/writer.js';
import type { IngestSource } from '../ingest/ingest-run.js';
import { runIngest } from '../ingest/ingest-run.js';
import { parseIngestEnv, type IngestEnv } from '../ingest/ingest-env.js';
import { ProgressThrottle } from '../ingest/progress.js';
import { RefusalLog, type Refusal } from '../ingest/refusals.js';
import { DEFAULT_RETRY_POLICY, RetriesExhausted, realSleep } from '../ingest/retry.js';
import { exitCodeOf, formatFailure, formatSummary } from '../ingest/summary.js';
import { waitUntilQueryable } from '../ingest/wait-queryable.js';
import { currentPipelineGroups } from '../status/current-groups.js';
import { INGEST_DEFAULTS as D, parseIngestArgs } from './ingest-options.js';

const usage = `Usage: cs ingest FILE… [flags]

Publishes NDJSON files of canonical events (CONTRACT §1) to Kafka through the same path as the
gateway: each line is parsed and validated; good ones are published in batches, bad ones are
refused with FILE:LINE: reason and never stop the load. Events keep their own ts.

Arguments:
  FILE…                  NDJSON files; - reads stdin

Flags:
  --refusals FILE        write every refusal as NDJSON {file, line, errors}
  --show-refusals N      refusals listed in the summary                (default ${D.showRefusals})
  --batch-size N         events per Kafka batch                        (default ${D.batchEvents})
  --batch-bytes N        input bytes per Kafka batch                   (default ${D.batchBytes})
  --max-line-bytes N     longer lines are refused                      (default ${D.maxLineBytes})
  --retries N            retries per batch while Kafka or the registry
                         is unreachable, backing off 0.5 s … 8 s        (default ${D.retries})
  --wait                 then wait until the pipeline has consumed everything (every
                         pipeline consumer group without lag, twice in a row), so the
                         events are queryable in the cs.* views
  --wait-timeout D       give up waiting after D: 90 (s), 90s, 10m, 1h (default 10m)
  -q, --quiet            no progress line on stderr
  -h, --help             show this help

Environment:
  KAFKA_BROKERS          comma-separated host:port     (default 127.0.0.1:19092)
  SCHEMA_REGISTRY_URL    Confluent-API registry        (default http://127.0.0.1:18081/apis/ccompat/v7)
  CS_TOPIC_PREFIX, CS_TOPIC_PARTITIONS, …  the topic catalog (see @cs/schemas)
  CS_PIPELINE_GROUPS     consumer groups --wait watches, upstream first (default
                         cs-sessionizer,cs-enricher,cs-billing,cs-sink in the current
                         pipeline generation: NAME.g<n> after a cs rebuild)
  LOG_LEVEL              the publisher's logs on stderr (default error)

Exit codes: 0 every line accepted and published (and, with --wait, queryable); 1 some lines
refused (the rest published), Kafka / the registry unreachable after retries (the message says
how far the load got), or --wait timed out (the message names what lags); 2 bad usage.

Examples:
  cs ingest workload.ndjson
  cs ingest workload.ndjson --wait --wait-timeout 20m
  cs generate --bad-fraction 0.01 | cs ingest - --refusals refused.ndjson
`;

const STDIN_NAME = '<stdin>';

async function sourcesOf(files: readonly string[], io: CliIo): Promise<IngestSource[]> {
  const sources: IngestSource[] = [];
  for (const file of files) {
    if (file === '-') {
      sources.push({ name: STDIN_NAME, open: () => io.stdin, size: undefined });
      continue;
    }
    // Every file is checked before anything is published, so a typo fails the run up front.
    const info = await stat(file).catch((error: unknown) => {
      throw new CsError('INGEST_FILE_UNREADABLE', `cannot read ${file}: ${errorMessage(error)}`, {
        cause: error,
      });
    });
    if (info.isDirectory()) {
      throw new CsError('INGEST_FILE_UNREADABLE', `cannot read ${file}: it is a directory`);
    }
    sources.push({
      name: file,
      open: () => createReadStream(file, { highWaterMark: 1 << 20 }),
      size: info.isFile() ? info.size : undefined,
    });
  }
  return sources;
}

const REGISTRATION_CODES = new Set<string>([
  'SCHEMA_REGISTER_FAILED',
  'SCHEMA_INCOMPATIBLE',
] satisfies RegistryErrorCode[]);

/** The sentence naming what could not be reached, for the failure report. */
function describeFailure(env: IngestEnv): (error: unknown) => string {
  return (error) => {
    const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
    const last = error instanceof RetriesExhausted ? error.last : error;
    const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    if (!(last instanceof CsError)) return `publishing failed ${tries}: ${errorMessage(last)}`;
    const code: string = (last as CsError).code;
    if (code === 'KAFKA_UNAVAILABLE') {
      return `Kafka at ${env.KAFKA_BROKERS.join(',')} is unreachable ${tries}: ${last.message}`;
    }
    if (code === 'REGISTRY_UNAVAILABLE') {
      return `the schema registry at ${env.SCHEMA_REGISTRY_URL} is unreachable ${tries}: ${last.message}`;
    }
    if (REGISTRATION_CODES.has(code)) {
      // NOTE: @cs/schemas currently classifies a refused connection as a non-retriable
      // registration failure (the registry client reports it as status 400), so it lands here.
      const cause = last.cause === undefined ? '' : ` (${errorMessage(last.cause)})`;
      return `the schema registry at ${env.SCHEMA_REGISTRY_URL} failed ${tries}: ${last.message}${cause}`;
    }
    return `publishing failed ${tries}: ${last.message}`;
  };
}

function logLevelOf(raw: string | undefined): LogLevel {
  return raw === 'debug' || raw === 'info' || raw === 'warn' || raw === 'error' ? raw : 'error';
}

async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const options = parseIngestArgs(argv);
  const env = parseIngestEnv(io.env);
  const topics = topicCatalogFromEnv(io.env);
  const sources = await sourcesOf(options.files, io);

  const refusalsOut =
    options.refusalsFile === undefined
      ? undefined
      : new LineWriter(createWriteStream(options.refusalsFile));
  const refusals = new RefusalLog(
    options.showRefusals,
    refusalsOut === undefined
      ? undefined
      : (refusal: Refusal) => refusalsOut.writeLines([JSON.stringify(refusal)]),
  );
  const publisher = createPublisher({
    brokers: env.KAFKA_BROKERS,
    registryUrl: env.SCHEMA_REGISTRY_URL,
    topics,
    clientId: 'cs-ingest',
    logger: createLogger({
      component: 'cs-ingest',
      level: logLevelOf(io.env.LOG_LEVEL),
      write: (line) => io.stderr.write(`${line}\n`),
    }),
  });
  const throttle = new ProgressThrottle(io.stderr.isTTY === true, performance.now());

  try {
    const report = await runIngest({
      sources,
      port: publisher,
      limits: options.limits,
      maxLineBytes: options.maxLineBytes,
      retry: { ...DEFAULT_RETRY_POLICY, retries: options.retries },
      refusals,
      now: () => performance.now(),
      sleep: realSleep,
      describeFailure: describeFailure(env),
      onProgress: (state) => {
        if (options.quiet) return;
        const text = throttle.render(state, performance.now());
        if (text !== undefined) io.stderr.write(text);
      },
    });
    if (!options.quiet) io.stderr.write(throttle.clear());
    await refusalsOut?.close({ end: true });
    io.stdout.write(formatSummary(report, options.refusalsFile));
    const failure = formatFailure(report);
    if (failure !== undefined) io.stderr.write(failure);
    // After a publishing failure there is nothing complete to wait for.
    if (!options.wait || report.failure !== undefined) return exitCodeOf(report);
    const waited = await waitUntilQueryable({
      brokers: env.KAFKA_BROKERS,
      groups: await currentPipelineGroups(io.env, env.KAFKA_BROKERS),
      timeoutMs: options.waitTimeoutMs,
      progress: options.quiet ? undefined : (line) => io.stderr.write(`${line}\n`),
    });
    if (waited.kind !== 'queryable') {
      io.stderr.write(`cs ingest --wait: ${waited.message}\n`);
      return EXIT_FAILURE;
    }
    io.stdout.write(`queryable: after ${(waited.elapsedMs / 1000).toFixed(1)} s of waiting\n`);
    return exitCodeOf(report);
  } finally {
    await publisher.stop();
  }
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Publish NDJSON files of canonical events to Kafka',
  usage,
  run,
};
