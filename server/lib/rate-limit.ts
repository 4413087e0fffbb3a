/**
 * Fixed-window counter per key, in memory. Good enough for one node; the
 * windows are short, so a restart forgetting them is harmless. Keys whose
 * window has passed are swept so the map never grows without bound.
 */
export interface RateLimiter {
  /** Counts one hit; returns false when the key is over its limit. */
  take(key: string): boolean;
  size(): number;
}

export function createRateLimiter(max: number, windowMs: number, now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = now();
  return {
    take(key) {
      const t = now();
      if (t - lastSweep > windowMs) {
        for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k);
        lastSweep = t;
      }
      const w = windows.get(key);
      if (!w || t - w.start >= windowMs) {
        windows.set(key, { start: t, count: 1 });
        return true;
      }
      w.count += 1;
      return w.count <= max;
    },
    size: () => windows.size,
  };
}
