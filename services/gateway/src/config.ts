/** The gateway's configuration, from the environment (parsed once, in main). */
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
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:19092')
    .transform((list) =>
      list
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port'))
        .min(1, 'at least one broker host:port'),
    ),
  SCHEMA_REGISTRY_URL: z.url().default('http://127.0.0.1:18081/apis/ccompat/v7'),
  // Unset: config/tenants.json at the repo root (see @cs/tenants).
  CS_TENANTS_FILE: z.string().optional(),
  CS_GATEWAY_MAX_EVENT_BYTES: bytes(DEFAULT_MAX_EVENT_BYTES),
  CS_GATEWAY_MAX_REQUEST_BYTES: bytes(DEFAULT_MAX_REQUEST_BYTES),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;
