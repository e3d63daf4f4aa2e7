import { Kafka, logLevel } from 'kafkajs';
import { generationFromEnv, generationName, readGeneration } from '@cs/schemas';
import { DEFAULT_PIPELINE_GROUPS, pipelineGroupsFromEnv } from './quiescence.js';

/**
 * The pipeline's consumer groups, upstream first: `CS_PIPELINE_GROUPS` when set; else the default
 * groups in the current pipeline generation (`CS_PIPELINE_GENERATION`, else the one `cs rebuild`
 * recorded on the control topic of `CS_TOPIC_PREFIX`).
 */
export async function currentPipelineGroups(
  env: Record<string, string | undefined>,
  brokers: readonly string[],
): Promise<string[]> {
  if (env.CS_PIPELINE_GROUPS !== undefined && env.CS_PIPELINE_GROUPS.trim() !== '') {
    return pipelineGroupsFromEnv(env);
  }
  const generation =
    env.CS_PIPELINE_GENERATION === undefined
      ? await readGeneration(
          new Kafka({ clientId: 'cs-cli', brokers: [...brokers], logLevel: logLevel.NOTHING }),
          env.CS_TOPIC_PREFIX ?? '',
        )
      : generationFromEnv(env);
  return DEFAULT_PIPELINE_GROUPS.map((group) => generationName(group, generation));
}
