import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { CsError } from '@cs/runtime';
import { cacheDir, repoRoot } from './paths.js';
import type { StackProfile } from './profile.js';
import { isComplete, markComplete, mavenCopyDependencies, run } from './provision.js';
import { findJava } from './java.js';
import { startDetached } from './process-control.js';
import { logFileOf, pidFileOf, type Log, type ServiceDefinition } from './service.js';
import { withMavenLock } from './maven-lock.js';

export const KAFKA_VERSION = '3.9.1';
const kafkaCache = join(cacheDir, `kafka-${KAFKA_VERSION}`);
const libsDir = join(kafkaCache, 'libs');
const infraKafka = join(repoRoot, 'infra', 'kafka');

function dataDir(profile: StackProfile): string {
  return join(profile.dir, 'kafka', 'data');
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding (what StorageTool random-uuid
 * prints). NOTE: Kafka never issues one that starts with '-' (it would read as a CLI flag).
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function writeServerProperties(profile: StackProfile): string {
  const template = readFileSync(join(infraKafka, 'server.properties'), 'utf8');
  const values: Record<string, string> = {
    port: String(profile.ports.kafka),
    controllerPort: String(profile.ports.kafkaController),
    dataDir: dataDir(profile),
  };
  const text = template.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined)
      throw new CsError(
        'CONFIG_INVALID',
        `infra/kafka/server.properties: unknown token {{${key}}}`,
      );
    return value;
  });
  const file = join(profile.dir, 'kafka', 'server.properties');
  mkdirSync(join(profile.dir, 'kafka'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function jvmArgs(profile: StackProfile): string[] {
  return [
    `-Xms${process.env.CS_KAFKA_HEAP_MIN ?? '256m'}`,
    `-Xmx${process.env.CS_KAFKA_HEAP ?? '768m'}`,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(infraKafka, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${profile.logDir}`,
    '-cp',
    `${libsDir}/*`,
  ];
}

/** Probes with a metadata request: ready means the broker answers one. */
export async function kafkaAnswers(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'cs-stack-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect();
  }
}

export const kafkaService: ServiceDefinition = {
  name: 'kafka',
  startTimeoutMs: 90_000,
  ports: (profile) => [
    { port: profile.ports.kafka, what: 'Kafka broker', envKey: 'CS_KAFKA_PORT' },
    {
      port: profile.ports.kafkaController,
      what: 'Kafka controller',
      envKey: 'CS_KAFKA_CONTROLLER_PORT',
    },
  ],

  async provision(log: Log) {
    if (isComplete(libsDir)) return;
    log(`downloading Apache Kafka ${KAFKA_VERSION} from Maven Central into ${libsDir}`);
    await withMavenLock(() =>
      mavenCopyDependencies(join(infraKafka, 'pom.xml'), libsDir, `Apache Kafka ${KAFKA_VERSION}`),
    );
    markComplete(libsDir);
  },

  async start(profile: StackProfile, log: Log) {
    const java = await findJava(17, log);
    const properties = writeServerProperties(profile);
    if (!existsSync(join(dataDir(profile), 'meta.properties'))) {
      log(`formatting KRaft storage in ${dataDir(profile)}`);
      mkdirSync(dataDir(profile), { recursive: true });
      const result = await run(java, [
        ...jvmArgs(profile).filter((arg) => !arg.startsWith('-Xm')),
        'kafka.tools.StorageTool',
        'format',
        '--ignore-formatted',
        `--cluster-id=${newClusterId()}`,
        `--config=${properties}`,
      ]);
      if (result.code !== 0) {
        throw new CsError(
          'KAFKA_FORMAT_FAILED',
          `formatting Kafka storage failed:\n${result.output.slice(-2000)}`,
        );
      }
    }
    return startDetached({
      command: java,
      args: [...jvmArgs(profile), 'kafka.Kafka', properties],
      logFile: logFileOf(profile, 'kafka'),
      pidFile: pidFileOf(profile, 'kafka'),
    });
  },

  ready: (profile) => kafkaAnswers([`127.0.0.1:${profile.ports.kafka}`]),
};
