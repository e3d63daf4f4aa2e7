import { parseEnv } from '@cs/runtime';
import { describe, expect, it } from 'vitest';
import { enricherEnvSchema } from './service-config.js';

describe('enricher env: CS_ENRICHER_HIERARCHY_HORIZON_HOURS', () => {
  it('defaults to 168 hours (7 days) and reads fractional hours', () => {
    expect(parseEnv(enricherEnvSchema, {}).CS_ENRICHER_HIERARCHY_HORIZON_HOURS).toBe(168);
    expect(
      parseEnv(enricherEnvSchema, { CS_ENRICHER_HIERARCHY_HORIZON_HOURS: '0.5' })
        .CS_ENRICHER_HIERARCHY_HORIZON_HOURS,
    ).toBe(0.5);
  });

  it('refuses a horizon that is not a positive number, naming the variable', () => {
    for (const bad of ['0', '-3', 'week']) {
      expect(() =>
        parseEnv(enricherEnvSchema, { CS_ENRICHER_HIERARCHY_HORIZON_HOURS: bad }),
      ).toThrow(/CS_ENRICHER_HIERARCHY_HORIZON_HOURS=/);
    }
  });
});

describe('enricher env: CS_ENRICHER_HEAP_GROWING_PERCENT', () => {
  it('defaults to 50; 0 leaves V8 its heuristic; refuses what V8 would not take', () => {
    expect(parseEnv(enricherEnvSchema, {}).CS_ENRICHER_HEAP_GROWING_PERCENT).toBe(50);
    expect(
      parseEnv(enricherEnvSchema, { CS_ENRICHER_HEAP_GROWING_PERCENT: '0' })
        .CS_ENRICHER_HEAP_GROWING_PERCENT,
    ).toBe(0);
    for (const bad of ['-1', '12.5', 'lots']) {
      expect(() => parseEnv(enricherEnvSchema, { CS_ENRICHER_HEAP_GROWING_PERCENT: bad })).toThrow(
        /CS_ENRICHER_HEAP_GROWING_PERCENT=/,
      );
    }
  });
});
