/**
 * Caps on connections held open at once (not a rate: a count of what is
 * open), per key and in total, on this node: SSE streams per client address
 * and overall. Holding a stream costs a file descriptor and memory for as
 * long as it is open, so a flood of them is refused before it is accepted.
 */
export interface Caps {
  /** A slot for `key`, or why there is none. Call the returned release() when the connection closes. */
  acquire(key: string): { ok: true; release: () => void } | { ok: false; scope: "key" | "total" };
  readonly total: number;
}

export function createCaps(perKey: number, total: number): Caps {
  const byKey = new Map<string, number>();
  let open = 0;
  return {
    acquire(key) {
      if (open >= total) return { ok: false, scope: "total" };
      const held = byKey.get(key) ?? 0;
      if (held >= perKey) return { ok: false, scope: "key" };
      byKey.set(key, held + 1);
      open += 1;
      let released = false;
      return {
        ok: true,
        release() {
          if (released) return;
          released = true;
          open -= 1;
          const left = (byKey.get(key) ?? 1) - 1;
          if (left > 0) byKey.set(key, left);
          else byKey.delete(key);
        },
      };
    },
    get total() {
      return open;
    },
  };
}
