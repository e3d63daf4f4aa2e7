import { afterAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { createSchemaRegistry, registerSchemas } from './registry.js';
import { topicCatalog } from './topics.js';

// Regression: services started side by side on a fresh prefix failed in registerSchemas with
// "subject … is not configured for BACKWARD compatibility": the client reads the subject's config
// while another process has registered the subject but not yet set its compatibility.
const services = testServices();
const catalog = topicCatalog({ prefix: `${uniqueName('schemas_race')}.`, partitions: 1 });
const PROCESSES = 6;

async function deleteSubject(subject: string, permanent: boolean): Promise<void> {
  const path = `/subjects/${encodeURIComponent(subject)}${permanent ? '?permanent=true' : ''}`;
  const response = await fetch(`${services.schemaRegistryUrl}${path}`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`DELETE ${path}: ${response.status} ${await response.text()}`);
}

afterAll(async () => {
  for (const topic of catalog.all) {
    await deleteSubject(topic.subject, false);
    await deleteSubject(topic.subject, true);
  }
});

describe('registerSchemas at concurrent start-up', () => {
  it('concurrent registrations on a fresh prefix all succeed with identical ids', async () => {
    // One client per "process": each has its own cache, as separate services do.
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        registerSchemas(createSchemaRegistry({ host: services.schemaRegistryUrl }), catalog),
      ),
    );
    const [first, ...others] = results;
    expect(first).toBeDefined();
    for (const ids of others) expect(ids).toEqual(first);

    for (const topic of catalog.all) {
      const response = await fetch(
        `${services.schemaRegistryUrl}/config/${encodeURIComponent(topic.subject)}`,
      );
      expect(await response.json()).toMatchObject({ compatibilityLevel: 'BACKWARD' });
    }
  });
});
