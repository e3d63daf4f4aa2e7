/** Time, injectable so batching and backoff are tested with a fake clock. */
export interface Clock {
  now(): number;
  /** Schedules `fn`; the handle cancels it. Must not keep the process alive on its own. */
  setTimer(ms: number, fn: () => void): { cancel(): void };
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // NOTE: unref'd, so a client with events waiting for the interval does not hold the process
    // open; close() (or the shutdown hook) is what delivers them on the way out.
    const timer = setTimeout(fn, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
