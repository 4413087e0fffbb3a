/**
 * Requests being handled right now on long-lived connections (socket events,
 * /ws frames), so that a shutdown can let them finish: a send that has
 * reached the database gets its ack before the connection is closed, and a
 * client that got no ack re-sends with the same clientId after reconnecting.
 * HTTP requests need no tracking: the server's own close waits for them.
 */
export interface Inflight {
  /** Runs `fn` counted as in flight until it settles. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves when nothing is in flight, or after `timeoutMs` (false). */
  idle(timeoutMs: number): Promise<boolean>;
  readonly count: number;
}

export function createInflight(): Inflight {
  let count = 0;
  const waiters = new Set<() => void>();
  return {
    async run(fn) {
      count += 1;
      try {
        return await fn();
      } finally {
        count -= 1;
        if (count === 0) for (const wake of [...waiters]) wake();
      }
    },
    idle(timeoutMs) {
      if (count === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(done);
          resolve(false);
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve(true);
        };
        waiters.add(done);
      });
    },
    get count() {
      return count;
    },
  };
}
