/**
 * Creates the Socket.IO server on the shared HTTP server: a same-origin check
 * on every transport, handshake auth through the shared credential resolver
 * (the session cookie), registration with the connection registry (so that a
 * withdrawn credential closes the socket), then the chat handlers.
 */
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { ClientToServerEvents, ServerToClientEvents } from "../contract";
import type { AppContext } from "../context";
import type { Principal } from "../realtime/connections";
import type { Actor } from "../services/actor";
import { userChannel } from "../realtime/channels";
import type { ProxyTrust } from "../http/forwarded";
import { BASE_HEADERS } from "../http/security";
import { isAllowedOrigin } from "./origin";
import { registerChatHandlers } from "./handlers";
import { logger } from "../log";

const log = logger("socket");

/** Per-socket data set at handshake: who, and the credential the socket stands on. */
export interface SocketData {
  user: Actor;
  principal: Principal;
}

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** How long a client may stay silent before it is considered gone. */
const PING_INTERVAL_MS = 20_000; // under the 30-60 s idle cut of common proxies
const PING_TIMEOUT_MS = 20_000;

export function createSocketServer(httpServer: HttpServer, env: AppContext["env"], proxy: ProxyTrust): ChatServer {
  const io: ChatServer = new Server(httpServer, {
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
    // A message body is at most 4000 characters; 64 KiB leaves room for the
    // envelope and refuses anything absurd before it is parsed.
    maxHttpBufferSize: 64 * 1024,
    // Socket.IO's `cors` does not protect WebSocket upgrades: check Origin on
    // every handshake request, polling and WebSocket alike. This closes
    // cross-site WebSocket hijacking.
    allowRequest: (req, callback) => callback(null, isAllowedOrigin(req.headers.origin, proxy.origin(req), env.APP_ORIGIN)),
    // Leave upgrades that are not ours (Next's dev HMR) alone.
    destroyUpgrade: false,
  });
  // Long-polling answers are responses like any other (server/http/security.ts).
  io.engine.on("headers", (headers: Record<string, string>) => Object.assign(headers, BASE_HEADERS));
  return io;
}

/** Attaches authentication and the handlers; separate from creation because the room streams need `io` first. */
export function attachChat(io: ChatServer, ctx: AppContext): void {
  io.use(async (socket, next) => {
    try {
      const headers = new Headers();
      const cookie = socket.request.headers.cookie;
      if (cookie) headers.set("cookie", cookie);
      const resolved = await ctx.credentials.resolve({ headers });
      if (!resolved.ok || resolved.credential?.kind !== "session") return next(new Error("unauthorized"));
      const { actor, principal } = resolved.credential;
      socket.data.user = actor;
      socket.data.principal = principal;
      await socket.join(userChannel(actor.id));
      next();
    } catch (err) {
      log.error({ err }, "handshake failed");
      next(new Error("unavailable"));
    }
  });

  io.on("connection", (socket) => registerChatHandlers(socket, ctx));
}
