/**
 * The native WebSocket endpoint, /ws (RFC 6455 via the `ws` package), for
 * clients that do not speak Socket.IO: the browser's own `WebSocket`, bots,
 * other languages. It shares the HTTP server with Socket.IO and Next, so it
 * takes only upgrades for its own path and leaves every other one (engine.io's
 * /socket.io/, Next's dev HMR) to its owner: never destroy a socket you do not
 * own. Before upgrading it checks Origin (like the Socket.IO handshake) and
 * authenticates; a refusal is a plain HTTP status, so a client can tell "sign
 * in" (401) from "wrong site" (403). The frames are handled in ./connection.ts.
 */
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { ErrorReason } from "../contract";
import { errorBody } from "../errors";
import type { AppContext } from "../context";
import type { UserCredential } from "../credentials";
import { isAllowedOrigin } from "../socket/origin";
import { handleConnection } from "./connection";
import { logger } from "../log";

const log = logger("ws");

export const WS_PATH = "/ws";
/**
 * Ping period. Proxies and load balancers cut connections idle for 30-60 s,
 * and a peer that vanished (laptop lid, lost Wi-Fi) never sends a close: a
 * ping every 25 s keeps the first alive and exposes the second, which is
 * terminated when it has not answered the previous ping.
 */
export const HEARTBEAT_MS = 25_000;
/** Largest frame accepted: a 4000-character body plus envelope fits many times over. */
export const MAX_PAYLOAD = 64 * 1024;
/** Time given to clients to answer our close frame at shutdown. */
const CLOSE_GRACE_MS = 1_000;

export interface WsEndpoint {
  wss: WebSocketServer;
  close(): Promise<void>;
}

/** The session cookie, or an API token (`Authorization: Bearer`, or `?token=` for browsers, which cannot set headers here). */
async function authenticate(ctx: AppContext, req: IncomingMessage, query: URLSearchParams): Promise<UserCredential | null> {
  const headers = new Headers();
  if (req.headers.cookie) headers.set("cookie", req.headers.cookie);
  if (typeof req.headers.authorization === "string") headers.set("authorization", req.headers.authorization);
  const resolved = await ctx.credentials.resolve({ headers, query }, { apiTokenInQuery: true });
  if (!resolved.ok || !resolved.credential || resolved.credential.kind === "feed-token") return null;
  return resolved.credential;
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
function refuse(socket: Duplex, status: number, reason: ErrorReason, message: string): void {
  if (socket.destroyed) return;
  const body = errorBody(reason, message);
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      "Connection: close\r\n" +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function createWsEndpoint(server: HttpServer, ctx: AppContext): WsEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
  const alive = new WeakMap<WebSocket, boolean>();
  let closing = false;

  async function accept(req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams) {
    // Node removes its own error listener from an upgraded socket; without
    // one, a reset during the async auth below would crash the process.
    const onError = () => socket.destroy();
    socket.on("error", onError);
    if (!isAllowedOrigin(req.headers.origin, ctx.proxy.origin(req), ctx.env.APP_ORIGIN)) {
      return refuse(socket, 403, "cross_origin", "this origin may not connect");
    }
    let credential: UserCredential | null;
    try {
      credential = await authenticate(ctx, req, query);
    } catch (err) {
      log.error({ err }, "authentication failed");
      return refuse(socket, 503, "unavailable", "something went wrong; try again");
    }
    if (!credential) return refuse(socket, 401, "sign_in_required", "sign in first, or pass an API token");
    if (closing || socket.destroyed) return void socket.destroy();
    socket.off("error", onError);
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on("pong", () => alive.set(ws, true));
      handleConnection(ws, credential, ctx);
    });
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Split by hand: `new URL()` can throw on a hostile request line.
    const raw = req.url ?? "";
    const q = raw.indexOf("?");
    if ((q === -1 ? raw : raw.slice(0, q)) !== WS_PATH) return; // not ours: engine.io or Next take it
    if (closing) return void socket.destroy();
    void accept(req, socket, head, new URLSearchParams(q === -1 ? "" : raw.slice(q + 1)));
  };
  server.on("upgrade", onUpgrade);

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    wss,
    async close() {
      closing = true;
      server.off("upgrade", onUpgrade);
      clearInterval(heartbeat);
      // A noServer WebSocketServer does not close its clients: say goodbye
      // (1001, "going away") so they reconnect elsewhere, then cut stragglers.
      const clients = [...wss.clients];
      await Promise.all(
        clients.map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === ws.CLOSED) return resolve();
              const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
              ws.once("close", () => {
                clearTimeout(timer);
                resolve();
              });
              ws.close(1001, "server shutting down");
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
