/**
 * The server's clock, as seen from the browser. The server states its time
 * (the join answer's `serverTime`, `rooms:watch`'s, GET /api/rooms' `now`);
 * the offset to the browser's clock corrects every relative time, so a
 * message just posted never reads "in 3 seconds" on a fast-running laptop.
 * The half round trip is not subtracted: it is milliseconds, and an answer
 * can only make the server look earlier, never later.
 */
let offsetMs = 0;
const listeners = new Set<() => void>();

/** Records a server timestamp received just now. */
export function noteServerTime(iso: string | undefined, receivedAt = Date.now()): void {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return;
  const next = t - receivedAt;
  if (Math.abs(next - offsetMs) < 250) return;
  offsetMs = next;
  for (const l of listeners) l();
}

/** Server time minus browser time, in ms. */
export const clockOffset = () => offsetMs;

/** "Now" on the server's clock. */
export const serverNow = (browserNow = Date.now()) => new Date(browserNow + offsetMs);

/** A time for display: never after `now` (clock skew cannot put a message in the future). */
export const notAfter = (date: Date, now: Date) => (date.getTime() > now.getTime() ? now : date);

export function onClockChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
