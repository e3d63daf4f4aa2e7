import type { Clock } from './clock.js';

interface Timer {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to; sleeps are timers, recorded for assertions. */
export class FakeClock implements Clock {
  private time = 0;
  private timers: Timer[] = [];
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): { cancel(): void } {
    const timer: Timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Runs every timer due within `ms`, in time order, letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const due = this.timers
        .filter((timer) => !timer.cancelled && timer.at <= end)
        .sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = due.at;
      due.fn();
      await settle();
    }
    this.time = end;
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }
}

/** Lets queued promise callbacks run (several turns, for chains of awaits). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}
