/**
 * One copy of each short, often repeated string (tenants, account ids, roles): every decoded record
 * carries its own copies, and the tables hold them for as long as the entity lives, so a value
 * repeated by 100 k users would otherwise be 100 k strings. Bounded: once the pool holds
 * `INTERN_LIMIT` distinct values, new ones are kept as they are (still correct, only not shared),
 * so an unbounded vocabulary (free-text roles) cannot grow it without end.
 */
export const INTERN_LIMIT = 65_536;

const pool = new Map<string, string>();

export function intern(value: string): string {
  const held = pool.get(value);
  if (held !== undefined) return held;
  if (pool.size < INTERN_LIMIT) pool.set(value, value);
  return value;
}

export function internNullable(value: string | null): string | null {
  return value === null ? null : intern(value);
}
