/**
 * A bus double for tests: what a real bus between nodes may do, on purpose.
 * Every event is delivered after a random delay (so events overtake each
 * other), some are delivered twice, and some are lost. `recover()` plays a
 * reconnect after an outage (the handlers registered with onRecover run).
 * Seeded, so a failure can be replayed.
 */
import type { Bus, BusEvent, BusHandler } from "../bus";

export interface ChaosOptions {
  seed?: number;
  /** Longest extra delay of a delivery, in ms. */
  maxDelayMs?: number;
  /** Share of events delivered a second time. */
  duplicate?: number;
  /** Share of room-log events never delivered. */
  lose?: number;
}

/** mulberry32: small, fast, good enough to shuffle deliveries. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createChaosBus(options: ChaosOptions = {}): Bus & { recover(): void; stats: { delivered: number; duplicated: number; lost: number } } {
  const random = prng(options.seed ?? 1);
  const maxDelay = options.maxDelayMs ?? 30;
  const handlers = new Set<BusHandler>();
  const recovers = new Set<() => void>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const stats = { delivered: 0, duplicated: 0, lost: 0 };

  const later = (event: BusEvent) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      stats.delivered += 1;
      for (const handler of handlers) {
        try {
          handler(event);
        } catch (err) {
          console.error("[chaos-bus] subscriber failed:", err);
        }
      }
    }, Math.floor(random() * maxDelay));
    timers.add(timer);
  };

  return {
    kind: "memory",
    stats,
    publish(event) {
      // Revocations and presence are not what this double is about; the room log is.
      if (event.type === "log" && random() < (options.lose ?? 0)) {
        stats.lost += 1;
        return;
      }
      later(event);
      if (event.type === "log" && random() < (options.duplicate ?? 0)) {
        stats.duplicated += 1;
        later(event);
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onRecover(handler) {
      recovers.add(handler);
      return () => recovers.delete(handler);
    },
    recover() {
      for (const handler of recovers) handler();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      handlers.clear();
    },
  };
}
