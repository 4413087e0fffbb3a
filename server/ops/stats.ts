/**
 * The live operations figures of this node: connections by transport, who is
 * online where, message rate and persist latency, event-loop lag, memory and
 * uptime. One snapshot function feeds both the admin page (GET
 * /api/admin/stats) and the Prometheus gauges (/metrics), so the two cannot
 * disagree. Everything is read from live state at call time; the only thing
 * kept here is the event-loop delay histogram.
 */
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { AppContext } from "../context";
import type { NodeRegistry, NodeStatus } from "../nodes";
import type { ChatServer } from "../socket";
import { persistSnapshot, type PersistSnapshot } from "./recorder";
import { getOps, setOps } from "./registry";

/**
 * Lag is reported over fixed windows: long enough to catch a stall between two
 * 2 s polls, short enough that a stall a minute ago no longer shows.
 */
const LAG_WINDOW_MS = 10_000;
/** Sampling resolution of the delay monitor; finer costs timer wake-ups for nothing. */
const LAG_RESOLUTION_MS = 20;

export interface OpsStats {
  node: { id: string; version: string; pid: number; startedAt: string; uptimeSeconds: number };
  connections: {
    /** Socket.IO sockets on this node by current transport (a polling socket that upgraded counts as websocket). */
    socketio: { websocket: number; polling: number };
    sse: number;
    longpoll: number;
    /** Native WebSocket (/ws). */
    ws: number;
    total: number;
  };
  /** Rooms with someone online, most populated first. */
  rooms: { slug: string; name: string; online: number; visibility: string }[];
  /** Distinct users online in at least one room. */
  onlineUsers: number;
  messages: PersistSnapshot;
  eventLoop: { p50Ms: number; p99Ms: number; maxMs: number };
  memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number };
  /** Every node of the cluster (this one alone without Redis), from their heartbeats. */
  nodes: NodeStatus[];
  sampledAt: string;
}

export interface Ops {
  readonly nodeId: string;
  stats(): Promise<OpsStats>;
  /** Socket.IO sockets by transport name (used by the Prometheus gauge as well). */
  socketTransports(): { websocket: number; polling: number };
  /** This node's figures as the other nodes see them (its heartbeat). */
  nodeStatus(): NodeStatus;
  close(): void;
}

export function nodeIdFrom(env: { NODE_ID?: string }): string {
  return env.NODE_ID ?? `${os.hostname()}-${process.pid}`;
}

/**
 * The monitor records the time between two ticks of its own timer, so an idle
 * loop reads as the resolution itself: subtract it to get how late the timer
 * fired, which is the lag.
 */
const lagMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - LAG_RESOLUTION_MS) * 100) / 100);

export function createOps(deps: { ctx: AppContext; io: ChatServer; nodes: NodeRegistry }): Ops {
  const { ctx, io, nodes } = deps;
  const nodeId = ctx.nodeId;
  const startedAt = new Date(Date.now() - process.uptime() * 1000);

  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  let lastLag = { p50Ms: 0, p99Ms: 0, maxMs: 0 };
  const readLag = () =>
    lag.count > 0 ? { p50Ms: lagMs(lag.percentile(50)), p99Ms: lagMs(lag.percentile(99)), maxMs: lagMs(lag.max) } : lastLag;
  const window = setInterval(() => {
    lastLag = readLag();
    lag.reset();
  }, LAG_WINDOW_MS);
  window.unref();

  function socketTransports() {
    const out = { websocket: 0, polling: 0 };
    for (const socket of io.of("/").sockets.values()) {
      const name = socket.conn.transport.name;
      if (name === "websocket" || name === "polling") out[name] += 1;
    }
    return out;
  }

  function connections() {
    const socketio = socketTransports();
    const { sse, longpoll, ws } = ctx.connections.counts();
    return { socketio, sse, longpoll, ws, total: socketio.websocket + socketio.polling + sse + longpoll + ws };
  }

  const ops: Ops = {
    nodeId,
    socketTransports,
    nodeStatus() {
      const perMinute = persistSnapshot().perMinute;
      return {
        id: nodeId,
        version: ctx.version,
        startedAt: startedAt.toISOString(),
        lastSeen: new Date().toISOString(),
        connections: connections(),
        messagesLastMinute: perMinute[perMinute.length - 1] ?? 0,
        rssBytes: process.memoryUsage().rss,
      };
    },
    async stats() {
      // The presence service knows counts by room, not the list of rooms:
      // ask for the rooms and keep those with someone in them.
      const known = await ctx.rooms.directory();
      const users = new Set<string>();
      const rooms = known
        .map((room) => {
          const online = ctx.presence.online(room.slug);
          for (const user of online) users.add(user.id);
          return { ...room, online: online.length };
        })
        .filter((room) => room.online > 0)
        .sort((a, b) => b.online - a.online || a.slug.localeCompare(b.slug));
      const memory = process.memoryUsage();
      return {
        node: {
          id: nodeId,
          version: ctx.version,
          pid: process.pid,
          startedAt: startedAt.toISOString(),
          uptimeSeconds: Math.floor(process.uptime()),
        },
        connections: connections(),
        rooms,
        onlineUsers: users.size,
        messages: persistSnapshot(),
        // The current window when it has samples, else the last full one.
        eventLoop: readLag(),
        memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal },
        nodes: await nodes.list().catch(() => [ops.nodeStatus()]),
        sampledAt: new Date().toISOString(),
      };
    },
    close() {
      clearInterval(window);
      lag.disable();
      if (getOps() === ops) setOps(undefined);
    },
  };
  setOps(ops);
  return ops;
}
