#!/usr/bin/env node
// The `cs` command. Runs the TypeScript sources through tsx inside the repository, or the built
// output when installed from a package.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const built = join(here, '..', 'dist', 'main.js');
const source = join(here, '..', 'src', 'main.ts');
// NOTE: tsx is resolved from this file, not from the working directory, so `cs` works anywhere.
const args = existsSync(source)
  ? [
      '--conditions=@cs/source',
      '--import',
      import.meta.resolve('tsx'),
      source,
      ...process.argv.slice(2),
    ]
  : [built, ...process.argv.slice(2)];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? (result.signal ? 1 : 0));
