import { validateEvent, type ValidEvent } from '@cs/schemas';

/**
 * What the loader decides about one line, and how a refusal is reported: `FILE:LINE: reason` on
 * the terminal, `{file, line, errors}` in the refusals file.
 */

export interface Refusal {
  /** The file as given on the command line; `<stdin>` for `-`. */
  file: string;
  line: number;
  /** One message per broken rule, e.g. `usage.userId: required`. */
  errors: string[];
}

export type LineOutcome = { ok: true; valid: ValidEvent } | { ok: false; errors: string[] };

/**
 * Parses and validates one NDJSON line. No tenant context: a file line carries its own `tenant`.
 * Never throws; invalid JSON is refused with the parser's own message.
 */
export function judgeLine(text: string): LineOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [`invalid JSON: ${reason}`] };
  }
  const result = validateEvent(body);
  if (result.ok) return { ok: true, valid: result };
  return { ok: false, errors: result.errors.map((error) => error.message) };
}

export function tooLongErrors(bytes: number, maxLineBytes: number): string[] {
  return [`line is ${bytes} bytes, longer than the limit of ${maxLineBytes} bytes`];
}

/** `FILE:LINE: reason; reason`, the compiler-style line editors and CI logs link to. */
export function formatRefusal(refusal: Refusal): string {
  return `${refusal.file}:${refusal.line}: ${refusal.errors.join('; ')}`;
}

/** Keeps the count of refusals and the first `keep` of them; the rest go only to the sink. */
export class RefusalLog {
  private readonly firstOnes: Refusal[] = [];
  private total = 0;

  constructor(
    private readonly keep: number,
    private readonly sink?: (refusal: Refusal) => Promise<void>,
  ) {}

  async add(refusal: Refusal): Promise<void> {
    this.total += 1;
    if (this.firstOnes.length < this.keep) this.firstOnes.push(refusal);
    if (this.sink) await this.sink(refusal);
  }

  get count(): number {
    return this.total;
  }

  get first(): readonly Refusal[] {
    return this.firstOnes;
  }
}
