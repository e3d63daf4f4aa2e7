import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { UsageError } from './command.js';
import type { CliIo, Command } from './command.js';
import { COMMANDS } from './commands/index.js';

function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (chunk: Buffer) => chunks.out.push(chunk));
  stderr.on('data', (chunk: Buffer) => chunks.err.push(chunk));
  return {
    io: { stdout, stderr, stdin: new PassThrough(), env: {} },
    out: () => Buffer.concat(chunks.out).toString(),
    err: () => Buffer.concat(chunks.err).toString(),
  };
}

const echo: Command = {
  name: 'echo',
  summary: 'Echo the arguments',
  usage: 'Usage: cs echo [ARGS]',
  run: (argv, io) => {
    if (argv.includes('--bad')) return Promise.reject(new UsageError("Unknown option '--bad'"));
    if (argv.includes('--boom')) return Promise.reject(new Error('it broke'));
    io?.stdout.write(argv.join(' '));
    return Promise.resolve(0);
  },
};

describe('cs dispatcher', () => {
  it('lists every registered command for help, --help and -h', async () => {
    for (const argv of [['help'], ['--help'], ['-h']]) {
      const { io, out } = captureIo();
      expect(await runCli(argv, io, COMMANDS)).toBe(0);
      for (const command of COMMANDS) expect(out()).toContain(command.name);
      expect(out()).toContain('generate');
      expect(out()).toContain('sql');
    }
  });

  it('refuses an unknown command with exit 2, naming it', async () => {
    const { io, err } = captureIo();
    expect(await runCli(['frobnicate', '--x'], io, COMMANDS)).toBe(2);
    expect(err()).toContain("unknown command 'frobnicate'");
  });

  it('refuses an unknown top-level option with exit 2, naming it', async () => {
    const { io, err } = captureIo();
    expect(await runCli(['--verbose'], io, COMMANDS)).toBe(2);
    expect(err()).toContain("'--verbose'");
  });

  it('prints the overview on stderr and exits 2 with no command', async () => {
    const { io, err } = captureIo();
    expect(await runCli([], io, COMMANDS)).toBe(2);
    expect(err()).toContain('Commands:');
  });

  it("shows a command's usage for `cs X --help` and `cs help X`", async () => {
    for (const argv of [
      ['sql', '--help'],
      ['help', 'sql'],
    ]) {
      const { io, out } = captureIo();
      expect(await runCli(argv, io, COMMANDS)).toBe(0);
      expect(out()).toContain('Usage: cs sql');
    }
  });

  it('passes arguments to the command and returns its exit code', async () => {
    const { io, out } = captureIo();
    expect(await runCli(['echo', 'a', 'b'], io, [echo])).toBe(0);
    expect(out()).toBe('a b');
  });

  it('maps a usage error to exit 2 and any other failure to exit 1', async () => {
    const usage = captureIo();
    expect(await runCli(['echo', '--bad'], usage.io, [echo])).toBe(2);
    expect(usage.err()).toContain("cs echo: Unknown option '--bad'");
    expect(usage.err()).toContain('cs echo --help');
    const failure = captureIo();
    expect(await runCli(['echo', '--boom'], failure.io, [echo])).toBe(1);
    expect(failure.err()).toContain('cs echo: it broke');
  });

  it('refuses an unknown flag of a real command with exit 2, naming the flag', async () => {
    const { io, err } = captureIo();
    expect(await runCli(['generate', '--frob', '1'], io, COMMANDS)).toBe(2);
    expect(err()).toContain('--frob');
  });
});
