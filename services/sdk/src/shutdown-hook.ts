import { errorMessage, type Logger } from '@cs/runtime';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes and closes the client when the process is asked to stop (SIGTERM, SIGINT) or runs out
 * of work (beforeExit), then lets the signal do what it would have done. Returns the uninstaller.
 */
export function installShutdownHook(
  client: { close(): Promise<unknown> },
  logger: Logger,
): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    uninstall();
    client
      .close()
      .catch((error: unknown) => {
        logger.error('closing the client on shutdown failed', { error: errorMessage(error) });
      })
      .finally(() => {
        // NOTE: our listener replaced the default action (exit); with it removed, re-raising the
        // signal ends the process as it would have without us, unless the app has its own.
        process.kill(process.pid, signal);
      });
  };
  const onBeforeExit = (): void => {
    uninstall();
    client.close().catch((error: unknown) => {
      logger.error('closing the client before exit failed', { error: errorMessage(error) });
    });
  };
  const uninstall = (): void => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off('beforeExit', onBeforeExit);
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  process.once('beforeExit', onBeforeExit);
  return uninstall;
}
