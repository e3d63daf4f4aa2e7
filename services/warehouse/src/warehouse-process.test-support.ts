/** Starts the warehouse's main in a child process, as production does, for integration tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const READY = /^warehouse listening on (http:\/\/\S+) \(data (.+)\)$/m;

export interface WarehouseProcess {
  url: string;
  child: ChildProcess;
  /** Everything written to stderr so far (structured logs). */
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function spawnWarehouse(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<WarehouseProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@cs/source', '--import', 'tsx', 'services/warehouse/src/main.ts'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CS_WAREHOUSE_PORT: '0', CS_WAREHOUSE_DATA: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`warehouse did not start:\n${stderr}`)),
      60_000,
    );
    const check = (): void => {
      const match = READY.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`warehouse exited with ${code} before it was ready:\n${stderr}`));
    });
  });

  return {
    url,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs a process to its end and returns its exit code and output. */
export async function runWarehouseToExit(
  dataDir: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@cs/source', '--import', 'tsx', 'services/warehouse/src/main.ts'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CS_WAREHOUSE_DATA: dataDir, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}
