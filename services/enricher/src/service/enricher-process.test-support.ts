import { appendFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Starts the enricher's main.ts as a child process with `env` added to this one's; resolves once it
 * says it is consuming, rejects with its last output if it exits first. `nodeArgs` go before the
 * entry point; `logFile`, if given, receives everything it prints.
 */
export function startEnricherProcess(
  env: Record<string, string>,
  options: { readonly nodeArgs?: readonly string[]; readonly logFile?: string } = {},
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--conditions=@cs/source',
      '--import',
      'tsx',
      'services/enricher/src/service/main.ts',
    ],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { logFile } = options;
  if (logFile !== undefined) {
    child.stdout.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
    child.stderr.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
  }
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  return new Promise((resolveStarted, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out = (out + chunk.toString('utf8')).slice(-4000);
      if (out.includes('enricher consuming')) resolveStarted(child);
    });
    child.once('exit', (code) =>
      reject(new Error(`enricher exited (${String(code)}): ${stderr} ${out}`)),
    );
  });
}
