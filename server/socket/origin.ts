/**
 * Same-origin check shared by the Socket.IO handshake and state-changing HTTP
 * requests. A browser always sends Origin on WebSocket upgrades and on
 * cross-origin requests, so a foreign Origin is refused; a request without one
 * comes from a non-browser client (curl, a bot), which cookies alone cannot be
 * forged into, and is let through to the normal session check.
 */
import type { IncomingHttpHeaders } from "node:http";

export function isAllowedOrigin(headers: IncomingHttpHeaders | Headers, extra: readonly string[]): boolean {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined);
  const origin = get("origin");
  if (!origin) return true;
  if (origin === "null") return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (extra.includes(url.origin)) return true;
  // The request's own origin: the host it was sent to.
  const host = get("x-forwarded-host")?.split(",")[0]?.trim() || get("host");
  return !!host && url.host === host;
}
