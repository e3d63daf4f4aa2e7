import { describe, expect, it } from 'vitest';
import { currentPipelineGroups } from './current-groups.js';

// Neither case reads Kafka: the broker address is unreachable on purpose.
const nowhere = ['127.0.0.1:9'];

describe('currentPipelineGroups', () => {
  it('takes CS_PIPELINE_GROUPS as given', async () => {
    expect(
      await currentPipelineGroups(
        { CS_PIPELINE_GROUPS: 'a, b', CS_PIPELINE_GENERATION: '2' },
        nowhere,
      ),
    ).toEqual(['a', 'b']);
  });

  it('suffixes the default groups with CS_PIPELINE_GENERATION', async () => {
    expect(await currentPipelineGroups({ CS_PIPELINE_GENERATION: '2' }, nowhere)).toEqual([
      'cs-sessionizer.g2',
      'cs-enricher.g2',
      'cs-billing.g2',
      'cs-sink.g2',
    ]);
    expect(await currentPipelineGroups({ CS_PIPELINE_GENERATION: '0' }, nowhere)).toEqual([
      'cs-sessionizer',
      'cs-enricher',
      'cs-billing',
      'cs-sink',
    ]);
  });
});
