/**
 * Micro-benchmark of the sessionizer core: `npm run bench -w @cs/sessionizer`.
 * Prints events/s of applyEvent in order and with 5% late (out-of-order) arrivals, the encoded
 * state size per active user and, with --expose-gc (the npm script passes it), the heap per user.
 * No assertions: numbers vary by machine.
 */
import { performance } from 'node:perf_hooks';
import {
  applyEvent,
  createUserState,
  encodeUserState,
  parseSessionizerConfig,
  type ApplicableEvent,
  type UserState,
} from '../src/index.js';

const USERS = Number(process.env.BENCH_USERS ?? 5_000);
const EVENTS_PER_USER = Number(process.env.BENCH_EVENTS_PER_USER ?? 100);
const MODULES = ['Reports', 'Billing', 'Settings', 'Dashboard', null];
const config = parseSessionizerConfig({ timeZone: 'America/New_York', timeoutMs: 30 * 60_000 });

// A deterministic generator, so runs compare.
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}

function workload(): ApplicableEvent[] {
  const start = Date.parse('2026-03-02T12:00:00Z');
  const events: ApplicableEvent[] = [];
  for (let user = 0; user < USERS; user += 1) {
    let ts = start + Math.floor(random() * 3_600_000);
    for (let i = 0; i < EVENTS_PER_USER; i += 1) {
      // Mostly short gaps, sometimes a pause past the timeout.
      ts += random() < 0.1 ? 45 * 60_000 : Math.floor(random() * 5 * 60_000);
      events.push({
        id: `${user.toString(36)}-${i.toString(36)}-${Math.floor(random() * 1e9).toString(36)}`,
        tenant: 'bench',
        userId: `user-${user}`,
        accountId: `account-${user % 500}`,
        ts,
        module: MODULES[Math.floor(random() * MODULES.length)] ?? null,
        product: 'app',
        feature: random() < 0.3 ? 'export' : null,
        count: 1,
      });
    }
  }
  return events.sort((a, b) => a.ts - b.ts);
}

/** Delays `share` of the events by 1–120 minutes of arrival: they land inside held days. */
function withLateArrivals(events: readonly ApplicableEvent[], share: number): ApplicableEvent[] {
  const keyed = events.map((event) => ({
    event,
    arrival: event.ts + (random() < share ? 60_000 + Math.floor(random() * 7_140_000) : 0),
  }));
  return keyed.sort((a, b) => a.arrival - b.arrival).map(({ event }) => event);
}

function run(label: string, arrivals: readonly ApplicableEvent[]): Map<string, UserState> {
  const states = new Map<string, UserState>();
  let outputs = 0;
  const started = performance.now();
  for (const event of arrivals) {
    let state = states.get(event.userId);
    if (state === undefined) {
      state = createUserState(event.tenant, event.userId);
      states.set(event.userId, state);
    }
    outputs += applyEvent(state, event, config).outputs.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(arrivals.length / seconds).toLocaleString('en-US');
  console.log(
    `${label.padEnd(22)} ${rate.padStart(12)} events/s  (${arrivals.length} events, ${(outputs / arrivals.length).toFixed(2)} outputs/event)`,
  );
  return states;
}

function heapUsed(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return undefined;
  gc();
  return process.memoryUsage().heapUsed;
}

const events = workload();
const late = withLateArrivals(events, 0.05);
run('warm-up', events.slice(0, 100_000));
const before = heapUsed();
const states = run('in order', events);
const after = heapUsed();
run('5% late arrivals', late);

let encoded = 0;
let held = 0;
for (const state of states.values()) {
  encoded += encodeUserState(state).length;
  for (const day of state.days) held += day.ts.length;
}
console.log(
  `state per active user    ${Math.round(encoded / states.size)} bytes encoded, ${Math.round(held / states.size)} events held (${(encoded / held).toFixed(1)} bytes/event)`,
);
if (before !== undefined && after !== undefined) {
  console.log(
    `heap per active user     ~${Math.round((after - before) / states.size)} bytes (${((after - before) / held).toFixed(1)} bytes/event held)`,
  );
} else {
  console.log('heap per active user     run with --expose-gc to measure');
}
