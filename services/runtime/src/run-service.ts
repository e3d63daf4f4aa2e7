import { installSignalHandlers } from './consumer/signals.js';
import { CsError, errorMessage } from './errors.js';
import type { Logger } from './logger.js';

/** What a service's `start` returns: something to stop gracefully. */
export interface StoppableService {
  stop(): Promise<void>;
}

/**
 * The `main` of every service process: starts it, prints `ready` (the line a supervisor or a
 * test waits for) on stdout, and on the first SIGTERM/SIGINT stops it gracefully and exits 0
 * (1 when stopping failed). A failed start is logged with its code and exits 1.
 */
export function runService(
  name: string,
  log: Logger,
  start: () => Promise<{ service: StoppableService; ready: string }>,
): void {
  start().then(
    ({ service, ready }) => {
      process.stdout.write(`${ready}\n`);
      installSignalHandlers(
        () =>
          service.stop().then(
            () => process.exit(0),
            (error: unknown) => {
              log.error('shutdown failed', { error: errorMessage(error) });
              process.exit(1);
            },
          ),
        { logger: log },
      );
    },
    (error: unknown) => {
      const code: string = error instanceof CsError ? (error as CsError).code : 'STARTUP_FAILED';
      log.error(`${name} failed to start`, { code, error: errorMessage(error) });
      process.stderr.write(`${name}: ${errorMessage(error)}\n`);
      process.exit(1);
    },
  );
}
