import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { CsError, parseEnv } from '@cs/runtime';

/**
 * Pipeline generations. Everything the stream processors and the sink derive from the raw topics
 * (derived topics, the dead-letter topic, the processors' own changelog and repartition topics,
 * their consumer groups) belongs to one generation; `cs rebuild` replays the raw topics into a new
 * generation and then makes it current. Generation 0 has the historical names (no suffix), so a
 * pipeline that was never rebuilt keeps its topics and groups. Raw topics have no generation.
 *
 * The current generation is the latest `generation` record on the compacted control topic
 * `<prefix>cs.control`; launchers (`npm start`, `cs rebuild`, the test harness) read it and hand it
 * to the services as `CS_PIPELINE_GENERATION`.
 */

export const CONTROL_TOPIC = 'cs.control';
export const GENERATION_KEY = 'generation';
export const MAX_GENERATION = 999_999;

/** The suffix of a derived name in a generation: none for 0, `.g<n>` after. */
export function generationSuffix(generation: number): string {
  if (!Number.isSafeInteger(generation) || generation < 0 || generation > MAX_GENERATION) {
    throw new CsError(
      'GENERATION_INVALID',
      `pipeline generation must be an integer in 0…${MAX_GENERATION}, got ${String(generation)}`,
    );
  }
  return generation === 0 ? '' : `.g${String(generation)}`;
}

/** A consumer group (or any other derived name) of a generation: `cs-sink` → `cs-sink.g2`. */
export function generationName(base: string, generation: number): string {
  return `${base}${generationSuffix(generation)}`;
}

export const generationEnvSchema = z.object({
  CS_PIPELINE_GENERATION: z.coerce.number().int().min(0).max(MAX_GENERATION).default(0),
});

/** `CS_PIPELINE_GENERATION` (default 0). */
export function generationFromEnv(env: Record<string, string | undefined> = process.env): number {
  return parseEnv(generationEnvSchema, env).CS_PIPELINE_GENERATION;
}

export function controlTopicName(prefix: string): string {
  return `${prefix}${CONTROL_TOPIC}`;
}

/** Parses a control record's value; the error names the topic and the value. */
export function parseGenerationValue(topic: string, value: string): number {
  const generation = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(generation) || generation > MAX_GENERATION) {
    throw new CsError(
      'GENERATION_INVALID',
      `${topic}: record '${GENERATION_KEY}' holds ${JSON.stringify(value)}, not a generation number`,
    );
  }
  return generation;
}

async function ensureControlTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) return;
    // NOTE: false (no throw) when another process created it first.
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * The current pipeline generation of a topic prefix: the last `generation` record of the control
 * topic, 0 when the topic is missing or empty (a pipeline never rebuilt).
 */
export async function readGeneration(kafka: Kafka, prefix: string): Promise<number> {
  const topic = controlTopicName(prefix);
  const admin = kafka.admin();
  await admin.connect();
  let high: bigint;
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    high = BigInt(offsets.find((entry) => entry.partition === 0)?.high ?? '0');
  } finally {
    await admin.disconnect();
  }
  if (high === 0n) return 0;
  // NOTE: kafkajs consumers always belong to a group; a throwaway one, deleted afterwards.
  const groupId = `${prefix}cs-control-reader-${String(process.pid)}-${String(Date.now())}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  let latest: string | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new CsError('GENERATION_READ_TIMEOUT', `${topic} not read within 30 s`)),
        30_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: ({ message }) => {
            if (message.key?.toString() === GENERATION_KEY && message.value !== null) {
              latest = message.value.toString();
            }
            if (BigInt(message.offset) + 1n >= high) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  } finally {
    await consumer.disconnect();
    const admin2 = kafka.admin();
    await admin2.connect();
    try {
      await admin2.deleteGroups([groupId]);
    } finally {
      await admin2.disconnect();
    }
  }
  return latest === undefined ? 0 : parseGenerationValue(topic, latest);
}

/**
 * Refuses to run a processor or the sink on a generation older than the current one: after a
 * `cs rebuild` its topics and groups are gone, and a service still on the old generation would
 * recreate them and write the old figures into the swapped-in tables a second time. A newer
 * generation is allowed (it is what `cs rebuild` runs before it records it as current).
 */
export async function refuseStaleGeneration(
  kafka: Kafka,
  prefix: string,
  generation: number,
): Promise<void> {
  const current = await readGeneration(kafka, prefix);
  if (generation < current) {
    throw new CsError(
      'GENERATION_STALE',
      `CS_PIPELINE_GENERATION is ${String(generation)} but ${controlTopicName(prefix)} records ` +
        `generation ${String(current)} as current (a cs rebuild made it so): start this service ` +
        `with CS_PIPELINE_GENERATION=${String(current)} (npm start and cs rebuild do that themselves)`,
    );
  }
}

/** Records `generation` as the current one of the prefix (creating the control topic if needed). */
export async function writeGeneration(
  kafka: Kafka,
  prefix: string,
  generation: number,
): Promise<void> {
  generationSuffix(generation);
  const topic = controlTopicName(prefix);
  await ensureControlTopic(kafka, topic);
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: GENERATION_KEY, value: String(generation), partition: 0 }],
    });
  } finally {
    await producer.disconnect();
  }
}
