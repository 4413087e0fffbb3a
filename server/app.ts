/**
 * The server is a factory over its dependencies. createApp() builds the
 * services, the HTTP server (API + optional Next handler), Socket.IO and the
 * fan-out; server/index.ts only reads the environment, wires and listens.
 * Tests call createApp() without Next on a random port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { applyMigrations } from "../prisma/scripts/migrations";
import { createMemoryBus, type Bus } from "./bus";
import { setContext, type AppContext } from "./context";
import { createPrisma } from "./db";
import type { Env } from "./env";
import { startFanout } from "./fanout";
import { createApi } from "./http/api";
import { BodyTooLarge, sendResponse, toRequest } from "./http/node";
import { FEED_PATH, handleFeed } from "./http/sse";
import { EMBED_PATH, EMBED_SCRIPT_PATH, handleEmbed, handleEmbedScript } from "./http/embed";
import { createMetrics, METRICS_PATH } from "./metrics";
import { ADMIN_STATS_PATH, handleAdminStats } from "./ops/http";
import { createOps, type Ops } from "./ops/stats";
import { loadSecret } from "./secret";
import { createServices } from "./services";
import { createSocketServer, type ChatServer } from "./socket";
import { createWsEndpoint } from "./ws";

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface App {
  ctx: AppContext;
  server: Server;
  io: ChatServer;
  /** This node's operations figures (admin page, /metrics). */
  ops: Ops;
  /** Attaches the page handler (Next) for everything outside /api and /socket.io. */
  setPageHandler(handler: NodeHandler): void;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export async function createApp(options: { env: Env; version?: string; bus?: Bus }): Promise<App> {
  const { env } = options;
  await applyMigrations(env.DATABASE_URL);
  const prisma = await createPrisma(env.DATABASE_URL);
  const bus = options.bus ?? createMemoryBus();
  const ctx = createServices({ env, prisma, bus, secret: await loadSecret(env, prisma), version: options.version ?? "dev" });
  await ctx.rooms.ensureDefaults();
  setContext(ctx);

  const api = createApi(ctx);
  let pages: NodeHandler | undefined;

  const server = createServer(async (req, res) => {
    try {
      const pathname = req.url?.split("?")[0] ?? "";
      const feed = FEED_PATH.exec(pathname);
      const embed = EMBED_PATH.exec(pathname);
      if (feed) {
        await handleFeed(ctx, req, res, feed[1]!);
      } else if (embed) {
        await handleEmbed(ctx, req, res, embed[1]!);
      } else if (pathname === EMBED_SCRIPT_PATH) {
        await handleEmbedScript(res);
      } else if (pathname === METRICS_PATH) {
        await sendResponse(res, await metrics.handle(await toRequest(req)));
      } else if (pathname === ADMIN_STATS_PATH) {
        await sendResponse(res, await handleAdminStats(ctx, ops, await toRequest(req)));
      } else if (req.url?.startsWith("/api/")) {
        // Aborted when the client goes away, so long-poll waiters are released.
        const aborted = new AbortController();
        res.on("close", () => aborted.abort());
        await sendResponse(res, await api(await toRequest(req, aborted.signal)));
      } else if (pages) {
        await pages(req, res);
      } else {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      }
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        // Close afterwards: the rest of the body is not read.
        res.writeHead(413, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify({ error: { code: "too_large", message: err.message } }));
        return;
      }
      console.error("[http] request failed:", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "unavailable", message: "something went wrong" } }));
    }
  });

  const io = createSocketServer(server, ctx);
  // Native WebSocket at /ws; takes only its own path's upgrades.
  const ws = createWsEndpoint(server, ctx);
  const stopFanout = startFanout(bus, io, ctx.hub, ctx.broadcasts);
  const ops = createOps({ ctx, io });
  const metrics = createMetrics({ ops, token: env.METRICS_TOKEN });

  return {
    ctx,
    server,
    io,
    ops,
    setPageHandler(handler) {
      pages = handler;
    },
    listen(port, host = "0.0.0.0") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === "object" && address ? address.port : port);
        });
      });
    },
    async close() {
      stopFanout();
      metrics.close();
      ops.close();
      await ws.close();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      server.closeAllConnections();
      await bus.close();
      await prisma.$disconnect();
      setContext(undefined);
    },
  };
}
