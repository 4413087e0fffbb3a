/**
 * The same-origin check shared by the Socket.IO handshake, /ws upgrades and
 * state-changing HTTP requests (better-auth's sign-in and sign-up included).
 * A browser always sends Origin on WebSocket upgrades and on cross-origin
 * requests, so a foreign Origin is refused; a request without one comes from
 * a non-browser client (curl, a bot), which cookies alone cannot be forged
 * into, and goes on to the normal session check.
 *
 * Scheme, host and port are compared whole (URL.origin): http://chat.example
 * does not pass for https://chat.example. The request's own origin comes from
 * server/http/forwarded.ts, which believes X-Forwarded-* only from trusted
 * proxies.
 */
export function isAllowedOrigin(origin: string | null | undefined, own: string | null, extra: readonly string[]): boolean {
  if (!origin) return true;
  if (origin === "null") return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.origin === own || extra.includes(url.origin);
}
