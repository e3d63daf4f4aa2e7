let chain: Promise<unknown> = Promise.resolve();

/**
 * Runs Maven invocations one at a time: two concurrent resolutions into the same local repository
 * can both write the same plugin artifacts and leave a corrupt file behind.
 */
export function withMavenLock<T>(task: () => Promise<T>): Promise<T> {
  const next = chain.then(task, task);
  chain = next.catch(() => undefined);
  return next;
}
