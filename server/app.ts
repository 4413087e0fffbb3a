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
import { createPrisma, type PrismaClient } from "./db";
import type { Env } from "./env";
import { startFanout } from "./fanout";
import { socketActivity } from "./socket/activity";
import { createApi } from "./http/api";
import { BodyTooLarge, sendResponse, toRequest } from "./http/node";
import { createProxyTrust } from "./http/forwarded";
import { decodeSegment, refuseUnservable } from "./http/guard";
import { applyBaseHeaders, preparePageRequest } from "./http/security";
import { FEED_PATH, handleFeed } from "./http/sse";
import { SSE_PROBE_PATH, handleSseProbe } from "./http/diagnostics";
import { EMBED_PATH, EMBED_SCRIPT_PATH, handleEmbed, handleEmbedScript } from "./http/embed";
import { createMetrics, METRICS_PATH } from "./metrics";
import { ADMIN_STATS_PATH, handleAdminStats } from "./ops/http";
import { createOps, nodeIdFrom, type Ops } from "./ops/stats";
import { createConnections } from "./realtime/connections";
import { createRoomStreams } from "./realtime/streams";
import { createSubscriptions } from "./realtime/subscription";
import { createHealth } from "./http/health";
import { createCaps } from "./lib/caps";
import { createInflight } from "./lib/inflight";
import { createRedisBus } from "./bus-redis";
import type { PresencePayload } from "./contract";
import { createNodeRegistry, type NodeStatus } from "./nodes";
import { createRedisPresenceStore } from "./presence-redis";
import { connectRedis } from "./redis";
import { loadSecret } from "./secret";
import { createServices } from "./services";
import { attachChat, createSocketServer, type ChatServer } from "./socket";
import { socketGroup } from "./socket/group";
import { createWsEndpoint } from "./ws";
import { HTTP_STATUS, errorBody, isAppError, toWireError } from "./errors";
import { logger } from "./log";

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface App {
  /** What the edges see: services only. */
  ctx: AppContext;
  /** The store and the bus, for the CLI and tests; edges never get them. */
  prisma: PrismaClient;
  bus: Bus;
  server: Server;
  io: ChatServer;
  /** This node's operations figures (admin page, /metrics). */
  ops: Ops;
  /** Attaches the page handler (Next) for everything outside /api and /socket.io. */
  setPageHandler(handler: NodeHandler): void;
  listen(port: number, host?: string): Promise<number>;
  /**
   * A graceful stop (SIGTERM, a deploy): stop accepting, let writes under
   * way finish, ask every client to reconnect, then close.
   */
  shutdown(): Promise<void>;
  /** Closes at once (tests). */
  close(): Promise<void>;
}

/** How long a shutdown waits for writes under way before it closes anyway (well inside the 10 s budget). */
const DRAIN_WRITES_MS = 5_000;

export async function createApp(options: { env: Env; version?: string; bus?: Bus }): Promise<App> {
  const { env } = options;
  await applyMigrations(env.DATABASE_URL);
  const prisma = await createPrisma(env.DATABASE_URL);
  const nodeId = nodeIdFrom(env);
  // One node: everything in memory. A cluster: Redis carries the bus, presence, limits and the nodes' figures.
  const redis = env.REDIS_URL ? await connectRedis(env.REDIS_URL, env.REDIS_PREFIX, nodeId) : undefined;
  const bus = options.bus ?? (redis ? createRedisBus(redis, nodeId) : createMemoryBus());
  // Late-bound: the registry's figures and presence's deltas need parts built below.
  let status: () => NodeStatus = () => {
    throw new Error("not started");
  };
  let emitPresence: (room: string, payload: PresencePayload) => void = () => {};
  const nodes = createNodeRegistry({ nodeId, redis, status: () => status() });
  const domain = createServices({
    env,
    prisma,
    bus,
    secret: await loadSecret(env, prisma),
    version: options.version ?? "dev",
    nodeId,
    redis,
    presenceStore: redis ? createRedisPresenceStore(redis, nodes) : undefined,
    presenceEmit: (room, payload) => emitPresence(room, payload),
  });
  await domain.rooms.ensureDefaults();

  let pages: NodeHandler | undefined;
  let draining = false;
  // As in server/index.ts: anything but production runs Next in development mode.
  const dev = env.NODE_ENV !== "production";

  const server = createServer(async (req, res) => {
    try {
      const pathname = req.url?.split("?")[0] ?? "";
      applyBaseHeaders(req, res);
      if (draining) {
        // A request on a connection kept alive through the shutdown: try again in a moment (elsewhere, or after the restart).
        res.writeHead(503, { "content-type": "application/json", "retry-after": "1", connection: "close" });
        return void res.end(errorBody("restarting", "the server is restarting", { retryAfter: 1000 }));
      }
      if (refuseUnservable(req, res, pathname)) return;
      const feed = FEED_PATH.exec(pathname);
      const embed = EMBED_PATH.exec(pathname);
      if (feed || embed) {
        // Malformed percent-encoding was refused above (400).
        const slug = decodeSegment((feed ?? embed)![1]!);
        if (feed) await handleFeed(ctx, req, res, slug);
        else await handleEmbed(ctx, req, res, slug);
      } else if (pathname === SSE_PROBE_PATH) {
        await handleSseProbe(ctx, req, res);
      } else if (pathname === EMBED_SCRIPT_PATH) {
        await handleEmbedScript(res);
      } else if (pathname === METRICS_PATH) {
        await sendResponse(res, await metrics.handle(await toRequest(req, proxy)));
      } else if (pathname === ADMIN_STATS_PATH) {
        await sendResponse(res, await handleAdminStats(ctx, ops, await toRequest(req, proxy)));
      } else if (req.url?.startsWith("/api/")) {
        // Aborted when the client goes away, so long-poll waiters are released.
        const aborted = new AbortController();
        res.on("close", () => aborted.abort());
        await sendResponse(res, await api(await toRequest(req, proxy, aborted.signal)));
      } else if (pages) {
        preparePageRequest(req, res, dev);
        await pages(req, res);
      } else {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      }
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        // Close afterwards: the rest of the body is not read.
        res.writeHead(413, { "content-type": "application/json", connection: "close" });
        res.end(errorBody("body_too_large", err.message));
        return;
      }
      if (isAppError(err) && !res.headersSent) {
        res.writeHead(HTTP_STATUS[err.code], { "content-type": "application/json" });
        res.end(JSON.stringify({ error: toWireError(err, "http") }));
        return;
      }
      logger("http").error({ err, method: req.method, path: req.url?.split("?")[0] }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(errorBody("unavailable", "something went wrong"));
    }
  });

  const proxy = createProxyTrust(env.TRUST_PROXY);
  const io = createSocketServer(server, env, proxy);
  const connections = createConnections({ revalidate: (principals) => domain.credentials.revalidate(principals) });
  const streams = createRoomStreams({
    reader: domain.messages,
    group: socketGroup(io),
    delivered: (id, connIds) => domain.broadcasts.delivered(id, connIds),
  });
  emitPresence = (room, payload) => streams.ephemeral({ type: "presence", room, payload });
  const ctx: AppContext = {
    ...domain,
    proxy,
    inflight: createInflight(),
    feedCaps: createCaps(env.SSE_MAX_PER_ADDRESS, env.SSE_MAX_TOTAL),
    health: createHealth({
      databaseUrl: env.DATABASE_URL,
      bus,
      checks: [
        { name: "database", run: () => prisma.$queryRaw`SELECT 1` },
        ...(redis ? [{ name: "redis", run: () => redis.client.ping() }] : []),
      ],
    }),
    streams,
    subscriptions: createSubscriptions({ streams, reader: domain.messages }),
    connections,
  };
  setContext(ctx);
  const api = createApi(ctx);
  attachChat(io, ctx);
  // Native WebSocket at /ws; takes only its own path's upgrades.
  const ws = createWsEndpoint(server, ctx);
  const stopFanout = startFanout({ bus, streams, connections, presence: domain.presence, activity: socketActivity(io) });
  const ops = createOps({ ctx, io, nodes });
  status = () => ops.nodeStatus();
  nodes.start();
  // Who is online on the other nodes, before this one takes its first connection.
  await domain.presence.sync().catch((err: Error) => logger("presence").warn({ err }, "first sync failed"));
  const metrics = createMetrics({ ops, token: env.METRICS_TOKEN });

  return {
    ctx,
    prisma,
    bus,
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
    async shutdown() {
      if (draining) return;
      draining = true;
      // 1. Stop accepting: no new connections; kept-alive idle ones go now.
      // (A cluster worker does not listen: its primary stops accepting for it.)
      if (server.listening) server.close();
      server.closeIdleConnections();
      // 2. Writes under way finish and their acks go out.
      const idle = await ctx.inflight.idle(DRAIN_WRITES_MS);
      if (!idle) logger("shutdown").warn({ inflight: ctx.inflight.count, waitedMs: DRAIN_WRITES_MS }, "requests still running; closing anyway");
      // 3. Every client is asked to come back: Socket.IO transports close
      //    (clients reconnect by themselves), SSE streams end (EventSource
      //    resumes with Last-Event-ID), long-polls answer, /ws gets 1001.
      connections.reconnectAll();
      for (const socket of io.of("/").sockets.values()) socket.conn.close();
      await teardown();
    },
    async close() {
      io.disconnectSockets(true);
      await teardown();
    },
  };

  async function teardown() {
    stopFanout();
    metrics.close();
    ops.close();
    await ws.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
    server.closeAllConnections();
    streams.close();
    connections.close();
    domain.presence.close();
    await ctx.broadcasts.close();
    await nodes.close();
    await bus.close();
    await redis?.close();
    await prisma.$disconnect();
    setContext(undefined);
  }
}
