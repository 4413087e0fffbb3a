/**
 * GET /metrics in Prometheus text format, served by the custom server. Default
 * process metrics (CPU, memory, event-loop lag as nodejs_eventloop_lag_*,
 * handles, GC) plus Relay's own figures, taken from the same snapshot as the
 * admin page. One registry per app (not prom-client's global one), so tests
 * that start several apps in one process do not collide.
 *
 * When METRICS_TOKEN is set, scrapers must send `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from "node:crypto";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { onPersist } from "./ops/recorder";
import type { Ops } from "./ops/stats";

export const METRICS_PATH = "/metrics";

/**
 * Persist latency buckets in seconds: a local SQLite commit in WAL mode takes
 * about a millisecond; the upper buckets catch lock waits (the store's busy
 * timeout is 5 s) and a struggling disk.
 */
const PERSIST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface Metrics {
  handle(req: Request): Promise<Response>;
  close(): void;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createMetrics(deps: { ops: Ops; token?: string }): Metrics {
  const { ops, token } = deps;
  const registry = new Registry();
  registry.setDefaultLabels({ node: ops.nodeId });
  collectDefaultMetrics({ register: registry });

  const connections = new Gauge({
    name: "relay_connections",
    help: "Live client connections on this node by transport (socketio_websocket, socketio_polling, sse, longpoll, ws).",
    labelNames: ["transport"] as const,
    registers: [registry],
  });
  const roomOnline = new Gauge({
    name: "relay_room_online_users",
    help: "Users online per room on this node (rooms with nobody online are omitted).",
    labelNames: ["room"] as const,
    registers: [registry],
  });
  const onlineUsers = new Gauge({
    name: "relay_online_users",
    help: "Distinct users online in at least one room on this node.",
    registers: [registry],
  });
  const messages = new Counter({
    name: "relay_messages_total",
    help: "Messages stored by this node.",
    registers: [registry],
  });
  const persist = new Histogram({
    name: "relay_message_persist_seconds",
    help: "Time to store a message (its database transaction).",
    buckets: PERSIST_BUCKETS,
    registers: [registry],
  });
  const unsubscribe = onPersist((ms) => {
    messages.inc();
    persist.observe(ms / 1000);
  });

  /** Gauges are set from one snapshot per scrape, so they are mutually consistent. */
  async function refresh() {
    const stats = await ops.stats();
    const c = stats.connections;
    connections.set({ transport: "socketio_websocket" }, c.socketio.websocket);
    connections.set({ transport: "socketio_polling" }, c.socketio.polling);
    connections.set({ transport: "sse" }, c.sse);
    connections.set({ transport: "longpoll" }, c.longpoll);
    connections.set({ transport: "ws" }, c.ws);
    // Reset first: a room that emptied since the last scrape drops out.
    roomOnline.reset();
    // Public rooms only: /metrics may be readable by anyone who reaches the
    // port, and a private room's name and activity are not theirs to see.
    for (const room of stats.rooms) if (room.visibility === "public") roomOnline.set({ room: room.slug }, room.online);
    onlineUsers.set(stats.onlineUsers);
  }

  return {
    async handle(req) {
      if (req.method !== "GET" && req.method !== "HEAD") {
        return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
      }
      if (token) {
        const header = req.headers.get("authorization") ?? "";
        const given = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
        if (!sameToken(given, token)) {
          return new Response("unauthorized\n", {
            status: 401,
            headers: { "www-authenticate": 'Bearer realm="metrics"', "content-type": "text/plain" },
          });
        }
      }
      await refresh();
      return new Response(await registry.metrics(), {
        headers: { "content-type": registry.contentType, "cache-control": "no-store" },
      });
    },
    close() {
      unsubscribe();
      registry.clear();
    },
  };
}
