import type { Logger } from '../logger.js';

/**
 * Calls `stop` once on the first SIGTERM or SIGINT; later signals are logged and ignored (stop is
 * already draining). Returns a function that removes the handlers. The caller decides the exit code
 * once `stop` has settled.
 */
export function installSignalHandlers(
  stop: () => Promise<void>,
  options: { logger?: Logger; signals?: readonly NodeJS.Signals[] } = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.logger?.warn('already stopping, signal ignored', { signal });
      return;
    }
    stopping = true;
    options.logger?.info('stopping on signal', { signal });
    stop().catch((error: unknown) => {
      options.logger?.error('stop failed', { signal, error });
      process.exitCode = 1;
    });
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
