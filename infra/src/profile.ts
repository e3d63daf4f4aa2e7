import { join } from 'node:path';
import { CsError } from '@cs/runtime';
import { runRoot } from './paths.js';

export type ServiceName = 'kafka' | 'registry' | 'warehouse';
export const SERVICE_NAMES: readonly ServiceName[] = ['kafka', 'registry', 'warehouse'];

/**
 * A named set of ports and directories. `default` is what `npm start` and `npm run stack:up` use;
 * `test` is what the integration tests provision, on other ports, so a developer's running stack
 * and a test run never collide.
 */
export interface StackProfile {
  name: string;
  dir: string;
  logDir: string;
  ports: {
    kafka: number;
    kafkaController: number;
    registry: number;
    registryManagement: number;
    warehouse: number;
  };
}

const BASE_PORTS: Record<string, StackProfile['ports']> = {
  default: {
    kafka: 19092,
    kafkaController: 19093,
    registry: 18081,
    registryManagement: 18091,
    warehouse: 18123,
  },
  test: {
    kafka: 29092,
    kafkaController: 29093,
    registry: 28081,
    registryManagement: 28091,
    warehouse: 28123,
  },
  bench: {
    kafka: 39092,
    kafkaController: 39093,
    registry: 39081,
    registryManagement: 39091,
    warehouse: 39123,
  },
};

function portFromEnv(key: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CsError(
      'CONFIG_INVALID',
      `${key}=${JSON.stringify(raw)}: must be a port number 1..65535`,
    );
  }
  return port;
}

/** The profile named by `name` (or `CS_STACK`), with per-port overrides from `CS_*_PORT`. */
export function stackProfile(
  name = process.env.CS_STACK ?? 'default',
  env = process.env,
): StackProfile {
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(name)) {
    throw new CsError(
      'CONFIG_INVALID',
      `CS_STACK=${JSON.stringify(name)}: must match ^[a-z0-9][a-z0-9-]{0,30}$`,
    );
  }
  const base = BASE_PORTS[name] ?? BASE_PORTS.default;
  if (base === undefined) throw new CsError('CONFIG_INVALID', 'no default port set');
  const dir = join(runRoot, name);
  return {
    name,
    dir,
    logDir: join(dir, 'logs'),
    ports: {
      kafka: portFromEnv('CS_KAFKA_PORT', base.kafka, env),
      kafkaController: portFromEnv('CS_KAFKA_CONTROLLER_PORT', base.kafkaController, env),
      registry: portFromEnv('CS_REGISTRY_PORT', base.registry, env),
      registryManagement: portFromEnv('CS_REGISTRY_MANAGEMENT_PORT', base.registryManagement, env),
      warehouse: portFromEnv('CS_WAREHOUSE_PORT', base.warehouse, env),
    },
  };
}

/** The addresses clients use for a profile's services. */
export function serviceUrls(profile: StackProfile): {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  clickhouseUrl: string;
} {
  return {
    kafkaBrokers: [`127.0.0.1:${profile.ports.kafka}`],
    schemaRegistryUrl: `http://127.0.0.1:${profile.ports.registry}/apis/ccompat/v7`,
    clickhouseUrl: `http://127.0.0.1:${profile.ports.warehouse}`,
  };
}
