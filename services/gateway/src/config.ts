/** The gateway's configuration, from the environment (parsed once, in main). */
import { kafkaServiceEnv } from '@cs/runtime';
import { z } from 'zod';

const bytes = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(fallback);

export const DEFAULT_MAX_EVENT_BYTES = 32 * 1024;
export const DEFAULT_MAX_REQUEST_BYTES = 500 * 1024;

export const gatewayEnvSchema = z.object({
  CS_GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  // 0 asks the OS for a free port (tests); the chosen one is printed when ready.
  CS_GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(18080),
  KAFKA_BROKERS: kafkaServiceEnv.KAFKA_BROKERS,
  SCHEMA_REGISTRY_URL: kafkaServiceEnv.SCHEMA_REGISTRY_URL,
  CS_TENANTS_FILE: kafkaServiceEnv.CS_TENANTS_FILE,
  CS_GATEWAY_MAX_EVENT_BYTES: bytes(DEFAULT_MAX_EVENT_BYTES),
  CS_GATEWAY_MAX_REQUEST_BYTES: bytes(DEFAULT_MAX_REQUEST_BYTES),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;
