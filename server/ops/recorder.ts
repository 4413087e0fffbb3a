/**
 * What the message service tells the operations view: one call per stored
 * message, with how long its transaction took. Kept per process (a node's own
 * figures) on globalThis, so the copy of this module that Next's bundle may
 * load and the custom server's copy share one recorder.
 *
 * Memory is fixed: a ring of the last LATENCY_SAMPLES latencies and one count
 * per minute for the last MINUTES minutes. Nothing grows with traffic.
 */

/** Percentiles over the most recent sends; 1024 is minutes of a busy node and sorts in microseconds. */
const LATENCY_SAMPLES = 1024;
/** The chart shows the last hour, a minute per bar. */
export const MINUTES = 60;
const MINUTE_MS = 60_000;

export type PersistListener = (ms: number) => void;

interface RecorderState {
  total: number;
  samples: Float64Array;
  next: number; // ring write position
  filled: number;
  /** counts[i] belongs to the minute minuteOf[i] (epoch minutes); stale slots are ignored. */
  counts: Uint32Array;
  minuteOf: Float64Array;
  listeners: Set<PersistListener>;
}

const KEY = Symbol.for("relay-chat.ops-recorder");
type Registry = { [KEY]?: RecorderState };

function state(): RecorderState {
  const g = globalThis as Registry;
  return (g[KEY] ??= {
    total: 0,
    samples: new Float64Array(LATENCY_SAMPLES),
    next: 0,
    filled: 0,
    counts: new Uint32Array(MINUTES),
    minuteOf: new Float64Array(MINUTES).fill(-1),
    listeners: new Set(),
  });
}

/** Called by the message service after a message's transaction commits. */
export function recordPersist(ms: number, now = Date.now()): void {
  const s = state();
  s.total += 1;
  s.samples[s.next] = ms;
  s.next = (s.next + 1) % LATENCY_SAMPLES;
  s.filled = Math.min(s.filled + 1, LATENCY_SAMPLES);
  const minute = Math.floor(now / MINUTE_MS);
  const slot = minute % MINUTES;
  if (s.minuteOf[slot] !== minute) {
    s.minuteOf[slot] = minute;
    s.counts[slot] = 0;
  }
  s.counts[slot] = (s.counts[slot] ?? 0) + 1;
  for (const listener of s.listeners) listener(ms);
}

/** Every recordPersist() from now on (the Prometheus counter and histogram); returns the unsubscribe. */
export function onPersist(listener: PersistListener): () => void {
  const s = state();
  s.listeners.add(listener);
  return () => s.listeners.delete(listener);
}

/** Nearest-rank percentile of an ascending array; 0 when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface PersistSnapshot {
  /** Messages stored by this process since it started. */
  total: number;
  /** Messages per minute, oldest first; the last entry is the current (partial) minute. */
  perMinute: number[];
  latency: { p50Ms: number; p99Ms: number; samples: number };
}

export function persistSnapshot(now = Date.now()): PersistSnapshot {
  const s = state();
  const current = Math.floor(now / MINUTE_MS);
  const perMinute: number[] = [];
  for (let minute = current - MINUTES + 1; minute <= current; minute++) {
    const slot = minute % MINUTES;
    perMinute.push(s.minuteOf[slot] === minute ? s.counts[slot]! : 0);
  }
  const sorted = Float64Array.from(s.samples.subarray(0, s.filled)).sort();
  return {
    total: s.total,
    perMinute,
    latency: { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), samples: s.filled },
  };
}
