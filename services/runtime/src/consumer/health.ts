export type HealthStatus = 'ok' | 'degraded' | 'error';

export interface HealthReport {
  readonly status: HealthStatus;
  readonly reasons: readonly string[];
}

const RANK: Record<HealthStatus, number> = { ok: 0, degraded: 1, error: 2 };

/**
 * Health as a set of named conditions, each degraded or error; the worst one wins. A condition is
 * set when something goes wrong and cleared by the code that sees it right again, so a report
 * always says why.
 */
export class HealthState {
  readonly #conditions = new Map<string, { status: Exclude<HealthStatus, 'ok'>; reason: string }>();

  set(name: string, status: Exclude<HealthStatus, 'ok'>, reason: string): void {
    this.#conditions.set(name, { status, reason });
  }

  clear(name: string): void {
    this.#conditions.delete(name);
  }

  has(name: string): boolean {
    return this.#conditions.has(name);
  }

  report(): HealthReport {
    let status: HealthStatus = 'ok';
    const reasons: string[] = [];
    for (const [name, condition] of this.#conditions) {
      if (RANK[condition.status] > RANK[status]) status = condition.status;
      reasons.push(`${name}: ${condition.reason}`);
    }
    return { status, reasons };
  }
}
