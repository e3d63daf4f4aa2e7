import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { Workload } from '../generate/workload.js';
import { generateCommand } from './generate.js';
import { parseGenerateArgs } from './generate-options.js';

describe('cs generate arguments', () => {
  it('parses every flag', () => {
    const options = parseGenerateArgs([
      '--seed',
      '9',
      '--tenants',
      '3',
      '--accounts',
      '7',
      '--users',
      '30',
      '--days',
      '4',
      '--start',
      '2026-03-01',
      '--out',
      'x.ndjson',
      '--late-fraction',
      '0.1',
      '--duplicate-fraction',
      '0.02',
      '--bad-fraction',
      '0.01',
      '--timeout-minutes',
      '15',
      '-q',
    ]);
    expect(options).toEqual({
      workload: {
        seed: 9,
        tenants: 3,
        tenantNames: [],
        accounts: 7,
        users: 30,
        days: 4,
        startMs: Date.UTC(2026, 2, 1),
        timeoutMinutes: 15,
        fractions: { late: 0.1, duplicate: 0.02, bad: 0.01 },
      },
      out: 'x.ndjson',
      quiet: true,
    });
  });

  it('names the first tenants after --tenant-names, and refuses a name that is not a tenant id', () => {
    const options = parseGenerateArgs(['--tenants', '1', '--tenant-names', 'demo,beta']);
    expect(options.workload.tenants).toBe(2);
    expect(options.workload.tenantNames).toEqual(['demo', 'beta']);
    expect(() => parseGenerateArgs(['--tenant-names', 'Demo'])).toThrow(/--tenant-names: 'Demo'/);
    expect(() => parseGenerateArgs(['--tenant-names', 'a,a'])).toThrow(/repeated/);
  });

  it('refuses bad values naming the flag', () => {
    expect(() => parseGenerateArgs(['--tenants', '0'])).toThrow(/--tenants/);
    expect(() => parseGenerateArgs(['--days', '1.5'])).toThrow(/--days/);
    expect(() => parseGenerateArgs(['--start', '2026-13-01'])).toThrow(/--start/);
    expect(() => parseGenerateArgs(['--bad-fraction', '1'])).toThrow(/--bad-fraction/);
    expect(() => parseGenerateArgs(['--late-fraction', 'x'])).toThrow(UsageError);
    expect(() => parseGenerateArgs(['extra'])).toThrow(UsageError);
  });
});

describe('cs generate', () => {
  it('writes exactly the workload lines to stdout, newline-terminated, and reports on stderr', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk));
    stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const argv = [
      '--seed',
      '5',
      '--tenants',
      '1',
      '--accounts',
      '6',
      '--users',
      '20',
      '--days',
      '3',
    ];
    const code = await generateCommand.run(argv, {
      stdout,
      stderr,
      stdin: new PassThrough(),
      env: {},
    });
    expect(code).toBe(0);
    const expected = [...new Workload(parseGenerateArgs(argv).workload).batches()].flat();
    expect(Buffer.concat(out).toString()).toBe(expected.join('\n') + '\n');
    expect(Buffer.concat(err).toString()).toMatch(/wrote \d[\d,]* lines to stdout .* lines\/s/);
  });
});
