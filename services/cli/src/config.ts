import { parseEnv } from '@cs/runtime';
import { z } from 'zod';

/** The warehouse the CLI talks to: the embedded one on this machine unless configured. */
export const warehouseEnvSchema = z.object({
  CLICKHOUSE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:18123'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().min(1).optional(),
});

export type WarehouseEnv = z.infer<typeof warehouseEnvSchema>;

export function parseWarehouseEnv(env: Record<string, string | undefined>): WarehouseEnv {
  return parseEnv(warehouseEnvSchema, env);
}
