import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (infra/src/ is two levels below it). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Everything provisioned lives under `.infra/` (git-ignored): `cache/` holds downloaded artifacts
 * (Maven repository, Kafka jars, the registry distribution, a Java runtime) so a second start needs
 * no network; `run/<profile>/` holds each profile's data, logs and pid files.
 */
export const infraHome = process.env.CS_INFRA_HOME ?? join(repoRoot, '.infra');
export const cacheDir = join(infraHome, 'cache');
export const runRoot = join(infraHome, 'run');
