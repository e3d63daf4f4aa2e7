import { describe, expect, it } from 'vitest';
import {
  controlTopicName,
  generationFromEnv,
  generationName,
  generationSuffix,
  parseGenerationValue,
} from './generation.js';
import { topicCatalog, topicCatalogFromEnv } from './topics.js';

describe('pipeline generations', () => {
  it('keeps the historical names in generation 0 and suffixes later ones', () => {
    expect(generationSuffix(0)).toBe('');
    expect(generationSuffix(3)).toBe('.g3');
    expect(generationName('cs-sink', 0)).toBe('cs-sink');
    expect(generationName('run_sessionizer', 12)).toBe('run_sessionizer.g12');
    expect(controlTopicName('t_')).toBe('t_cs.control');
  });

  it('refuses a generation that is not a small non-negative integer', () => {
    expect(() => generationSuffix(-1)).toThrow(/generation must be an integer/);
    expect(() => generationSuffix(1.5)).toThrow(/got 1.5/);
    expect(() => generationFromEnv({ CS_PIPELINE_GENERATION: 'two' })).toThrow(
      /CS_PIPELINE_GENERATION="two"/,
    );
    expect(generationFromEnv({})).toBe(0);
    expect(generationFromEnv({ CS_PIPELINE_GENERATION: '4' })).toBe(4);
    expect(() => parseGenerationValue('p_cs.control', 'x1')).toThrow(/p_cs.control.*"x1"/);
    expect(parseGenerationValue('p_cs.control', '7')).toBe(7);
  });

  it('suffixes derived, dead-letter and internal topics but never raw ones', () => {
    const catalog = topicCatalog({ prefix: 'p_', generation: 2 });
    expect(catalog.raw.usage.name).toBe('p_cs.raw.usage');
    expect(catalog.raw.usage.subject).toBe('p_cs.raw.usage-value');
    expect(catalog.derived.session.name).toBe('p_cs.derived.session.g2');
    expect(catalog.derived.session.subject).toBe('p_cs.derived.session.g2-value');
    expect(catalog.derived['late-event'].name).toBe('p_cs.derived.late-events.g2');
    expect(catalog.deadLetter.name).toBe('p_cs.dlq.g2');
    expect(catalog.internalTopic('cs.billing.state')).toBe('p_cs.billing.state.g2');
    expect(catalog.forSchema('derived-account-mrr').name).toBe('p_cs.derived.account-mrr.g2');
    const zero = topicCatalog({ prefix: 'p_' });
    expect([zero.generation, zero.deadLetter.name, zero.internalTopic('cs.x')]).toEqual([
      0,
      'p_cs.dlq',
      'p_cs.x',
    ]);
    const fromEnv = topicCatalogFromEnv({ CS_PIPELINE_GENERATION: '1' });
    expect([fromEnv.generation, fromEnv.derived['mrr-movement'].name]).toEqual([
      1,
      'cs.derived.mrr-movement.g1',
    ]);
  });
});
