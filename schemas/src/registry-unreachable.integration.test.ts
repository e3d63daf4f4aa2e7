import { CsError } from '@cs/runtime';
import { describe, expect, it } from 'vitest';
import { createSchemaRegistry, registerSchemas } from './registry.js';
import { topicCatalog } from './topics.js';

// Regression: the registry client reports a refused connection as HTTP 400, which made a registry
// that is down look like a permanent refusal, so no producer path retried it.
describe('registerSchemas with the registry down', () => {
  it('fails with a retriable error that says the registry is unreachable', async () => {
    const registry = createSchemaRegistry({ host: 'http://127.0.0.1:1/apis/ccompat/v7' });
    const attempt = registerSchemas(registry, topicCatalog({ prefix: 'unreachable.' }));
    await expect(attempt).rejects.toBeInstanceOf(CsError);
    await expect(attempt).rejects.toMatchObject({
      code: 'SCHEMA_REGISTER_FAILED',
      retriable: true,
    });
    await expect(attempt).rejects.toThrow(/registry is unreachable/);
  });
});
