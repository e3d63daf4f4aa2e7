import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { SCHEMA_NAMES } from './generated/index.js';
import { REGISTER_TIMEOUT_RETRIES, registerSchemas } from './registry.js';
import { topicCatalog } from './topics.js';

class ConfluentSchemaRegistryCompatibilityError extends Error {
  override name = 'ConfluentSchemaRegistryCompatibilityError';
}

function fakeRegistry(fail?: (subject: string) => Error | undefined): {
  registry: SchemaRegistry;
  calls: { subject: string; compatibility: string; schema: string }[];
} {
  const calls: { subject: string; compatibility: string; schema: string }[] = [];
  const registry = {
    register: (
      schema: { schema: string },
      opts: { subject: string; compatibility: string },
    ): Promise<{ id: number }> => {
      const failure = fail?.(opts.subject);
      if (failure !== undefined) return Promise.reject(failure);
      calls.push({
        subject: opts.subject,
        compatibility: opts.compatibility,
        schema: schema.schema,
      });
      return Promise.resolve({ id: calls.length * 10 });
    },
  } as unknown as SchemaRegistry;
  return { registry, calls };
}

describe('registerSchemas', () => {
  it('registers each schema under its topic subject with BACKWARD and returns the ids', async () => {
    const { registry, calls } = fakeRegistry();
    const ids = await registerSchemas(registry, topicCatalog({ prefix: 'p.' }));
    expect(Object.keys(ids)).toEqual([...SCHEMA_NAMES]);
    expect(ids['dead-letter']).toBe(70);
    expect(calls.map((call) => call.subject)).toContain('p.cs.raw.usage-value');
    expect(calls.every((call) => call.compatibility === 'BACKWARD')).toBe(true);
    expect(JSON.parse(calls[0]?.schema ?? '{}')).toMatchObject({ name: 'Usage' });
  });

  it('sends a registration that timed out again, up to REGISTER_TIMEOUT_RETRIES times', async () => {
    const timeout = () =>
      Object.assign(new Error('cs - Error, status 400: Timeout (30000ms)'), { status: 400 });
    const failing = (times: number) => {
      let left = times;
      return (subject: string) => {
        if (!subject.endsWith('cs.raw.usage-value') || left === 0) return undefined;
        left -= 1;
        return timeout();
      };
    };
    const { registry, calls } = fakeRegistry(failing(REGISTER_TIMEOUT_RETRIES));
    const ids = await registerSchemas(registry, topicCatalog({ prefix: 'p.' }));
    expect(Object.keys(ids)).toEqual([...SCHEMA_NAMES]);
    expect(calls).toHaveLength(SCHEMA_NAMES.length);
    await expect(
      registerSchemas(
        fakeRegistry(failing(REGISTER_TIMEOUT_RETRIES + 1)).registry,
        topicCatalog({ prefix: 'p.' }),
      ),
    ).rejects.toMatchObject({ code: 'SCHEMA_REGISTER_FAILED', retriable: true });
  });

  it('reports an incompatible schema and a misconfigured subject as not retriable', async () => {
    const conflict = Object.assign(new Error('conflict'), { status: 409 });
    await expect(
      registerSchemas(fakeRegistry(() => conflict).registry, topicCatalog()),
    ).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', retriable: false });
    const misconfigured = new ConfluentSchemaRegistryCompatibilityError('NONE != BACKWARD');
    await expect(
      registerSchemas(fakeRegistry(() => misconfigured).registry, topicCatalog(), {
        raceDelaysMs: [1, 1],
      }),
    ).rejects.toMatchObject({ code: 'SCHEMA_REGISTER_FAILED', retriable: false });
    const down = Object.assign(new Error('unavailable'), { status: 503 });
    await expect(
      registerSchemas(fakeRegistry(() => down).registry, topicCatalog()),
    ).rejects.toMatchObject({ code: 'SCHEMA_REGISTER_FAILED', retriable: true });
  });

  it('retries a compatibility error while another process is still configuring the subject', async () => {
    let failures = 2;
    const { registry, calls } = fakeRegistry(() =>
      failures-- > 0
        ? new ConfluentSchemaRegistryCompatibilityError('BACKWARD != NONE')
        : undefined,
    );
    const ids = await registerSchemas(registry, topicCatalog(), { raceDelaysMs: [1, 1, 1] });
    expect(Object.keys(ids)).toEqual([...SCHEMA_NAMES]);
    expect(calls).toHaveLength(SCHEMA_NAMES.length);
  });

  it('retries the 409 of a second first-time PUT /config instead of calling the schema incompatible', async () => {
    let failures = 1;
    const ruleExists = Object.assign(new Error("A rule named 'COMPATIBILITY' already exists."), {
      status: 409,
      url: 'put http://registry/apis/ccompat/v7/config/cs.raw.usage-value',
    });
    const { registry } = fakeRegistry(() => (failures-- > 0 ? ruleExists : undefined));
    await expect(
      registerSchemas(registry, topicCatalog(), { raceDelaysMs: [1] }),
    ).resolves.toMatchObject({ usage: 10 });
  });
});
