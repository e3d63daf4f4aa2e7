import type { Admin, ITopicConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { CsError } from '@cs/runtime';
import { validEvents } from './test-fixtures.js';
import {
  ensureTopics,
  eventKey,
  recordKey,
  topicCatalog,
  topicCatalogFromEnv,
  topicFor,
} from './topics.js';
import { validateEvent } from './validate.js';

function fakeAdmin(existing: string[], createError?: Error): Admin & { created: ITopicConfig[] } {
  const topics = new Set(existing);
  const created: ITopicConfig[] = [];
  return {
    created,
    listTopics: () => Promise.resolve([...topics]),
    createTopics: ({ topics: wanted }: { topics: ITopicConfig[] }) => {
      if (createError) return Promise.reject(createError);
      for (const topic of wanted) {
        topics.add(topic.topic);
        created.push(topic);
      }
      return Promise.resolve(true);
    },
  } as unknown as Admin & { created: ITopicConfig[] };
}

describe('topic catalog', () => {
  it('names raw topics, the dead-letter topic and their subjects', () => {
    const catalog = topicCatalog();
    expect(catalog.all.map((topic) => topic.name)).toEqual([
      'cs.raw.usage',
      'cs.raw.account',
      'cs.raw.user',
      'cs.raw.subscription',
      'cs.raw.invoice',
      'cs.raw.ticket',
      'cs.derived.time-slice',
      'cs.derived.session',
      'cs.derived.late-events',
      'cs.derived.enriched-usage',
      'cs.derived.account-state',
      'cs.derived.user-state',
      'cs.derived.hierarchy-edge',
      'cs.derived.mrr-movement',
      'cs.derived.account-mrr',
      'cs.derived.invoice-state',
      'cs.derived.ticket-state',
      'cs.dlq',
    ]);
    expect(catalog.derived.session).toMatchObject({
      schema: 'derived-session',
      subject: 'cs.derived.session-value',
      config: { 'retention.ms': String(7 * 24 * 3_600_000) },
    });
    expect(catalog.forSchema('derived-account-mrr').name).toBe('cs.derived.account-mrr');
    // Late events keep the topic name the sessionizer used before the schema moved here.
    expect(catalog.derived['late-event']).toMatchObject({
      schema: 'derived-late-event',
      name: 'cs.derived.late-events',
      subject: 'cs.derived.late-events-value',
    });
    expect(catalog.raw.usage.subject).toBe('cs.raw.usage-value');
    expect(catalog.forSchema('dead-letter').subject).toBe('cs.dlq-value');
    expect(catalog.raw.invoice).toMatchObject({ partitions: 3, config: { 'retention.ms': '-1' } });
  });

  it('takes a prefix and sizes from options or the environment', () => {
    const catalog = topicCatalog({ prefix: 'run1_', partitions: 1, rawRetentionMs: 1000 });
    expect(catalog.raw.ticket).toMatchObject({
      name: 'run1_cs.raw.ticket',
      subject: 'run1_cs.raw.ticket-value',
      partitions: 1,
      config: { 'retention.ms': '1000' },
    });
    const fromEnv = topicCatalogFromEnv({ CS_TOPIC_PREFIX: 'x.', CS_TOPIC_PARTITIONS: '6' });
    expect([fromEnv.deadLetter.name, fromEnv.deadLetter.partitions]).toEqual(['x.cs.dlq', 6]);
    expect(() => topicCatalogFromEnv({ CS_TOPIC_PARTITIONS: 'many' })).toThrow(
      /CS_TOPIC_PARTITIONS/,
    );
  });

  it('keys usage by tenant/userId and everything else by tenant/accountId', () => {
    const events = validEvents();
    const keys = Object.values(events).map((input) => {
      const result = validateEvent(input);
      if (!result.ok) throw new Error('fixture');
      return [
        topicFor(result.event),
        eventKey(result.event),
        recordKey(result.type, result.record),
      ];
    });
    expect(keys[0]).toEqual(['cs.raw.usage', 'acme/user-1', 'acme/user-1']);
    for (const [topic, key] of keys.slice(1)) {
      expect(topic).toMatch(/^cs\.raw\./);
      expect(key).toBe('acme/acc-1');
    }
  });
});

describe('ensureTopics', () => {
  it('creates only the missing topics, with their settings, and is idempotent', async () => {
    const catalog = topicCatalog({ prefix: 'p_' });
    const admin = fakeAdmin(['p_cs.raw.usage']);
    const created = await ensureTopics(admin, catalog);
    expect(created).toHaveLength(catalog.all.length - 1);
    expect(created).not.toContain('p_cs.raw.usage');
    expect(admin.created[0]).toMatchObject({
      topic: 'p_cs.raw.account',
      numPartitions: 3,
      replicationFactor: 1,
      configEntries: [{ name: 'retention.ms', value: '-1' }],
    });
    expect(await ensureTopics(admin, catalog)).toEqual([]);
  });

  it('fails with a retriable error when the topics are still missing', async () => {
    const error = await ensureTopics(fakeAdmin([], new Error('broker down')), topicCatalog()).catch(
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CsError);
    expect(error).toMatchObject({ code: 'TOPIC_CREATE_FAILED', retriable: true });
  });
});
