/**
 * Creates the Socket.IO server on the shared HTTP server: handshake auth from
 * the session cookie, a same-origin check on every transport, then the chat
 * handlers.
 */
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from "../contract";
import { actorFromHeaders, type AppContext } from "../context";
import { BASE_HEADERS } from "../http/security";
import { isAllowedOrigin } from "./origin";
import { registerChatHandlers, userChannel } from "./handlers";

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** How long a client may stay silent before it is considered gone. */
const PING_INTERVAL_MS = 20_000; // under the 30-60 s idle cut of common proxies
const PING_TIMEOUT_MS = 20_000;

export function createSocketServer(httpServer: HttpServer, ctx: AppContext): ChatServer {
  const io: ChatServer = new Server(httpServer, {
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
    // A message body is at most 4000 characters; 64 KiB leaves room for the
    // envelope and refuses anything absurd before it is parsed.
    maxHttpBufferSize: 64 * 1024,
    // Socket.IO's `cors` does not protect WebSocket upgrades: check Origin on
    // every handshake request, polling and WebSocket alike. This closes
    // cross-site WebSocket hijacking.
    allowRequest: (req, callback) => callback(null, isAllowedOrigin(req.headers, ctx.env.APP_ORIGIN)),
    // Leave upgrades that are not ours (Next's dev HMR) alone.
    destroyUpgrade: false,
  });

  // Long-polling answers are responses like any other (server/http/security.ts).
  io.engine.on("headers", (headers: Record<string, string>) => Object.assign(headers, BASE_HEADERS));

  io.use(async (socket, next) => {
    try {
      const headers = new Headers();
      const cookie = socket.request.headers.cookie;
      if (cookie) headers.set("cookie", cookie);
      const actor = await actorFromHeaders(ctx.auth, headers);
      if (!actor) return next(new Error("unauthorized"));
      socket.data.user = actor;
      await socket.join(userChannel(actor.id));
      next();
    } catch (err) {
      console.error("[socket] handshake failed:", err);
      next(new Error("unavailable"));
    }
  });

  io.on("connection", (socket) => registerChatHandlers(socket, ctx));
  return io;
}
