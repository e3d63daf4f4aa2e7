import { setFlagsFromString } from 'node:v8';

/**
 * Lets the V8 heap grow only `percent` % past what survived the last full GC before the next one
 * (V8's own factor lets it reach up to 4×). For a stream processor whose garbage is mostly records
 * promoted while their transaction is open, that garbage, not its state, was most of the RSS.
 * 0 leaves V8's heuristic. Costs more full GCs (a few µs of CPU per event in the benches).
 *
 * NOTE: V8 reads the flag each time it sets the next heap limit after a full GC, so setting it at
 * start-up here takes effect without a command-line flag (which every launcher — npm start, the
 * test harness, a process manager — would have to repeat), and unlike --max-old-space-size it
 * cannot make the process run out of heap. It is a V8 flag, not a Node option: a V8 without it
 * ignores it and memory grows as before.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${String(percent)}`);
}
