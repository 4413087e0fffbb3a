/**
 * GET /api/diagnostics/sse-probe — a short event stream for the /diagnostics
 * page: PROBE_CHUNKS events, PROBE_INTERVAL_MS apart, each stamped with the
 * server's clock. A browser that receives them spaced out has a clean path;
 * one that receives them all at once, at the end, sits behind a proxy that
 * buffers responses (nginx's default), which would hold every SSE feed back
 * too. The page names the fix: `X-Accel-Buffering: no` from the app (sent
 * here and on every feed) or `proxy_buffering off` in nginx.
 *
 * Signed-in users only: the probe holds a connection for about two seconds.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppContext } from "../context";
import { errorBody } from "../errors";

export const SSE_PROBE_PATH = "/api/diagnostics/sse-probe";
/** Enough chunks to tell "spaced" from "all at once" with margin. */
export const PROBE_CHUNKS = 5;
/** Far above timer jitter, and short enough that the check takes about two seconds. */
export const PROBE_INTERVAL_MS = 400;

export async function handleSseProbe(ctx: AppContext, req: IncomingMessage, res: ServerResponse, intervalMs = PROBE_INTERVAL_MS): Promise<void> {
  if (req.method !== "GET") {
    res.writeHead(405, { "content-type": "application/json", allow: "GET" });
    return void res.end(errorBody("method_not_allowed", "use GET", { params: { method: req.method ?? "" } }));
  }
  const headers = new Headers();
  if (req.headers.cookie) headers.set("cookie", req.headers.cookie);
  const actor = await ctx.credentials.sessionActor(headers);
  if (!actor) {
    res.writeHead(401, { "content-type": "application/json", "cache-control": "no-store" });
    return void res.end(errorBody("sign_in_required", "sign in first"));
  }
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store, no-transform",
    "x-accel-buffering": "no",
    connection: "keep-alive",
  });
  res.flushHeaders();
  let sent = 0;
  const tick = () => {
    if (res.destroyed) return;
    res.write(`event: chunk\ndata: ${JSON.stringify({ n: sent, of: PROBE_CHUNKS, at: Date.now() })}\n\n`);
    sent += 1;
    if (sent < PROBE_CHUNKS) timer = setTimeout(tick, intervalMs);
    else res.end("event: done\ndata: {}\n\n");
  };
  let timer = setTimeout(tick, 0);
  res.on("close", () => clearTimeout(timer));
}
