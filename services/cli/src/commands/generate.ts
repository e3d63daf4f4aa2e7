import { createWriteStream } from 'node:fs';
import { EXIT_OK, processIo } from '../command.js';
import type { CliIo, Command } from '../command.js';
import { LineWriter } from '../generate/writer.js';
import { Workload } from '../generate/workload.js';
import { GENERATE_DEFAULTS as D, parseGenerateArgs } from './generate-options.js';

const usage = `Usage: cs generate [flags]

Writes a deterministic synthetic workload as canonical NDJSON (CONTRACT §1): account
hierarchies, users, usage sessions, subscriptions, invoices and tickets for each tenant,
with duplicate deliveries, late arrivals and (optionally) bad lines. Same flags → same bytes.

Flags:
  --seed N                 PRNG seed, 0 ≤ N < 2^32                 (default ${D.seed})
  --tenants T              tenants: acme, globex, t3, t4, …          (default ${D.tenants})
  --tenant-names A,B       names for the first tenants instead
  --accounts A             accounts per tenant                       (default ${D.accounts})
  --users U                users per tenant                          (default ${D.users})
  --days D                 days of activity                          (default ${D.days})
  --start YYYY-MM-DD       first day (UTC)                           (default ${D.start})
  -o, --out FILE|-         output file, - for stdout                 (default -)
  --timeout-minutes M      the tenants' session timeout; some gaps
                           are exactly M minutes                     (default ${D.timeoutMinutes})
  --late-fraction f        share of events delivered 1–47 h late     (default ${D.lateFraction})
  --duplicate-fraction f   share of events delivered twice           (default ${D.duplicateFraction})
  --bad-fraction f         share of events followed by a bad line    (default ${D.badFraction})
  -q, --quiet              no progress on stderr
  -h, --help               show this help

Examples:
  cs generate --seed 7 --tenants 3 --accounts 50 --users 400 --days 60 --out workload.ndjson
  cs generate --tenants 1 --accounts 5 --users 10 --days 3 --bad-fraction 0.05 | head
`;

const PROGRESS_INTERVAL_MS = 1_000;

async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const options = parseGenerateArgs(argv);
  const toStdout = options.out === '-';
  const stream = toStdout ? io.stdout : createWriteStream(options.out, { highWaterMark: 1 << 20 });
  const writer = new LineWriter(stream);
  const workload = new Workload(options.workload);
  const started = performance.now();
  let lines = 0;
  let lastReport = started;
  const rate = (now: number): number => Math.round(lines / Math.max((now - started) / 1000, 1e-3));
  const progress = (final: boolean): void => {
    if (options.quiet) return;
    const now = performance.now();
    if (!final && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    const line = `cs generate: ${lines.toLocaleString('en-US')} lines, ${rate(now).toLocaleString('en-US')} lines/s`;
    if (!final) {
      // On a terminal the progress line rewrites itself; in a log it is one line per second.
      io.stderr.write(io.stderr.isTTY === true ? `\r${line}` : `${line}\n`);
      return;
    }
    const s = workload.stats;
    const seconds = ((now - started) / 1000).toFixed(1);
    io.stderr.write(
      `${io.stderr.isTTY === true ? '\r' : ''}cs generate: wrote ${lines.toLocaleString('en-US')} lines to ${
        toStdout ? 'stdout' : options.out
      } in ${seconds} s (${rate(now).toLocaleString('en-US')} lines/s): ${s.events} events, ${
        s.duplicates
      } duplicates, ${s.late} late, ${s.bad} bad\n`,
    );
  };

  try {
    for (const batch of workload.batches()) {
      await writer.writeLines(batch);
      lines += batch.length;
      progress(false);
    }
    await writer.close({ end: !toStdout });
  } catch (error: unknown) {
    // A closed pipe (`cs generate | head`) is the reader saying it has enough, not a failure.
    if (isBrokenPipe(error)) return EXIT_OK;
    throw error;
  }
  progress(true);
  return EXIT_OK;
}

function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EPIPE';
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Write a deterministic synthetic workload as canonical NDJSON',
  usage,
  run,
};
