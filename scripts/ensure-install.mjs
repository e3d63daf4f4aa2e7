// Installs the workspace's npm dependencies when they are missing or older than the lockfile,
// so `npm start` and `npm test` work on a fresh clone. Plain JS: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');

const patches = join(root, 'patches');
const newerThanMarker = (file) => statSync(file).mtimeMs > statSync(marker).mtimeMs;
// patches/: fixes applied to installed packages by patch-package (the postinstall script).
const stale =
  !existsSync(marker) ||
  (existsSync(lock) && newerThanMarker(lock)) ||
  (existsSync(patches) &&
    readdirSync(patches).some((name) => newerThanMarker(join(patches, name))));
if (stale) {
  // NOTE: `npm install`, not `npm ci`: npm 11 writes lockfiles without other platforms' optional
  // packages (turbo's darwin/windows binaries) and then `npm ci` refuses them as out of sync.
  // `npm install` installs exactly the locked versions all the same.
  const args = ['install', '--no-audit', '--no-fund'];
  console.log(`[setup] installing npm dependencies (npm ${args[0]}) ...`);
  const started = Date.now();
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[setup] npm ${args[0]} failed with exit code ${String(result.status)}`);
    process.exit(result.status ?? 1);
  }
  // npm may rewrite the lockfile after its marker; mark the install as the newer of the two.
  const now = new Date();
  if (existsSync(marker)) utimesSync(marker, now, now);
  console.log(`[setup] dependencies installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
