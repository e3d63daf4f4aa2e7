import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsError } from '@cs/runtime';
import { cacheDir } from './paths.js';

/** Maven's local repository for the project: inside the git-ignored cache, never ~/.m2. */
export const mavenRepo = join(cacheDir, 'm2');

export interface RunResult {
  code: number;
  output: string;
}

/** Runs a command to completion, capturing its combined output (for error messages). */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) =>
      reject(
        new CsError('SPAWN_FAILED', `could not run ${command}: ${error.message}`, { cause: error }),
      ),
    );
    child.once('close', (code) =>
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

/**
 * `mvn dependency:copy-dependencies` on one of infra/'s poms, into `outputDirectory`, using the
 * project's own Maven repository. A failed download is reported with Maven's own error lines.
 */
export async function mavenCopyDependencies(
  pom: string,
  outputDirectory: string,
  what: string,
): Promise<void> {
  mkdirSync(outputDirectory, { recursive: true });
  const result = await run('mvn', [
    '-B',
    '-q',
    `-Dmaven.repo.local=${mavenRepo}`,
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${outputDirectory}`,
    '-DincludeScope=runtime',
  ]);
  if (result.code !== 0) {
    const errors = result.output
      .split('\n')
      .filter((line) => line.includes('ERROR'))
      .slice(0, 8)
      .join('\n');
    throw new CsError(
      'DOWNLOAD_FAILED',
      `could not download ${what} from Maven Central (mvn exit ${result.code}); is the network to Maven Central reachable?\n${errors || result.output.slice(-2000)}`,
      { retriable: true },
    );
  }
}

/** Marks a cache entry complete, so an interrupted download is redone rather than trusted. */
export function markComplete(dir: string): void {
  writeFileSync(join(dir, '.complete'), new Date().toISOString() + '\n');
}

export function isComplete(dir: string): boolean {
  return existsSync(join(dir, '.complete'));
}
