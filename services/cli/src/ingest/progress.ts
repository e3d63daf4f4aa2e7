/**
 * The progress line on stderr: rewritten in place at most ~4×/s on a terminal, a plain line
 * every few seconds in a log (so a CI log gets a heartbeat, not a flood).
 */

export interface ProgressState {
  /** Non-blank lines judged so far. */
  lines: number;
  refused: number;
  published: number;
  bytesRead: number;
  /** Sum of the input files' sizes; undefined when one is stdin or a pipe. */
  totalBytes: number | undefined;
  elapsedMs: number;
}

export const TTY_INTERVAL_MS = 250;
export const LOG_INTERVAL_MS = 5_000;

const count = new Intl.NumberFormat('en-US');

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit] ?? 'TiB'}`;
}

/** Events per second over the whole run (not a moving average: the summary's figure, early). */
export function eventsPerSecond(events: number, elapsedMs: number): number {
  return Math.round(events / Math.max(elapsedMs / 1000, 1e-3));
}

export function formatProgress(state: ProgressState): string {
  const read =
    state.totalBytes === undefined || state.totalBytes === 0
      ? `${formatBytes(state.bytesRead)} read`
      : `${formatBytes(state.bytesRead)} / ${formatBytes(state.totalBytes)} (${(
          (100 * state.bytesRead) /
          state.totalBytes
        ).toFixed(1)} %)`;
  return (
    `cs ingest: ${count.format(state.lines)} records (${count.format(state.refused)} refused), ` +
    `${read}, ${count.format(eventsPerSecond(state.published, state.elapsedMs))} events/s`
  );
}

/** Decides when to print; pure, with the clock passed in. */
export class ProgressThrottle {
  private lastAt: number;

  constructor(
    private readonly tty: boolean,
    startedAt: number,
  ) {
    this.lastAt = startedAt;
  }

  /** The text to write now (with `\r` or `\n` as the target wants), or undefined. */
  render(state: ProgressState, now: number): string | undefined {
    const interval = this.tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS;
    if (now - this.lastAt < interval) return undefined;
    this.lastAt = now;
    const line = formatProgress(state);
    // NOTE: `\x1b[K` clears what a longer previous line left on the right.
    return this.tty ? `\r${line}\x1b[K` : `${line}\n`;
  }

  /** What ends the progress display before the summary is printed. */
  clear(): string {
    return this.tty ? '\r\x1b[K' : '';
  }
}
