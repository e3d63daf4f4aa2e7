/** The warehouse's configuration, from the environment (parsed once, in main). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The repository root, found from this file's place in it (services/warehouse/src). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.infra/run/default/warehouse/data');

/** The engine's server settings (memory bounds), shipped with the workspace: config/engine.xml. */
export const DEFAULT_ENGINE_CONFIG = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../config/engine.xml',
);

export const warehouseEnvSchema = z.object({
  CS_WAREHOUSE_HOST: z.string().min(1).default('127.0.0.1'),
  // 0 asks the OS for a free port (tests); the chosen one is printed when ready.
  CS_WAREHOUSE_PORT: z.coerce.number().int().min(0).max(65535).default(18123),
  CS_WAREHOUSE_DATA: z
    .string()
    .min(1)
    .default(DEFAULT_DATA_DIR)
    .transform((dir) => path.resolve(REPO_ROOT, dir)),
  // An empty value runs the engine with chDB's own defaults (no config file).
  CS_WAREHOUSE_ENGINE_CONFIG: z
    .string()
    .default(DEFAULT_ENGINE_CONFIG)
    .transform((file) => (file === '' ? undefined : path.resolve(REPO_ROOT, file))),
  CS_WAREHOUSE_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
});

export type WarehouseEnv = z.infer<typeof warehouseEnvSchema>;
