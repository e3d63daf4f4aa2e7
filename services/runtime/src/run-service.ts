import { installSignalHandlers } from './consumer/signals.js';
import { CsError, errorMessage } from './errors.js';
import type { Logger } from './logger.js';

/** How a service that can end by itself ended (the consumer shell's and the sink's `done`). */
export type ServiceExit =
  { readonly kind: 'stopped' } | { readonly kind: 'failed'; readonly error: Error };

/** What a service's `start` returns: something to stop gracefully. */
export interface StoppableService {
  stop(): Promise<void>;
  /** Resolves when the service ended by itself, e.g. halted on a fatal error. */
  readonly done?: Promise<ServiceExit>;
}

/**
 * The `main` of every service process: starts it, prints `ready` (the line a supervisor or a
 * test waits for) on stdout, and on the first SIGTERM/SIGINT stops it gracefully and exits 0
 * (1 when stopping failed). A service that ends by itself (`done`) is stopped and the process
 * exits — 1 when it failed, so a supervisor restarts it. A failed start is logged with its code
 * and exits 1.
 */
export function runService(
  name: string,
  log: Logger,
  start: () => Promise<{ service: StoppableService; ready: string }>,
): void {
  const stopAndExit = (service: StoppableService, code: number): Promise<never> =>
    service.stop().then(
      () => process.exit(code),
      (error: unknown) => {
        log.error('shutdown failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  start().then(
    ({ service, ready }) => {
      process.stdout.write(`${ready}\n`);
      installSignalHandlers(() => stopAndExit(service, 0), { logger: log });
      void service.done?.then((exit) => {
        if (exit.kind === 'failed')
          log.error(`${name} halted`, { error: errorMessage(exit.error) });
        return stopAndExit(service, exit.kind === 'failed' ? 1 : 0);
      });
    },
    (error: unknown) => {
      const code: string = error instanceof CsError ? (error as CsError).code : 'STARTUP_FAILED';
      log.error(`${name} failed to start`, { code, error: errorMessage(error) });
      process.stderr.write(`${name}: ${errorMessage(error)}\n`);
      process.exit(1);
    },
  );
}
