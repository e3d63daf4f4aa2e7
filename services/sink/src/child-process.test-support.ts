/** Child processes for the exactly-once test: a warehouse on a temp dir, sinks to SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Service {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line matching the ready pattern's first group. */
  readonly ready: Promise<string>;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** stderr tail, for failure messages. */
  log(): string;
  /** How many stderr lines so far matched `options.count`. */
  counted(): number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function startTsService(
  entry: string,
  env: Record<string, string>,
  readyPattern: RegExp,
  options: { count?: RegExp } = {},
): Service {
  let counted = 0;
  let partial = '';
  const child = spawn(process.execPath, ['--conditions=@cs/source', '--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stderr = (stderr + text).slice(-8000);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    if (options.count !== undefined) {
      const pattern = options.count;
      counted += lines.filter((line) => pattern.test(line)).length;
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const ready = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = readyPattern.exec(stdout);
      if (match !== null) resolve(match[1] ?? match[0]);
    });
    void exited.then((code) =>
      reject(new Error(`${entry} exited (${String(code)}) before ready:\n${stderr}`)),
    );
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    exited,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
    log: () => stderr,
    counted: () => counted,
  };
}
