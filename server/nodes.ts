/**
 * The nodes of a cluster, as each sees the others: every node writes a
 * heartbeat key with its figures (connections by transport, message rate)
 * and a TTL. A node whose key has expired is dead: its users leave presence,
 * and /admin stops listing it. On one node without Redis, the cluster is
 * just this node.
 */
import type { RedisConnections } from "./redis";

/** How often a node refreshes its key. */
export const HEARTBEAT_MS = 5_000;
/**
 * How long a key outlives its last refresh: three missed beats. A SIGKILLed
 * node is gone from presence within this plus one presence sync (< 30 s).
 */
export const NODE_TTL_MS = 15_000;

export interface NodeStatus {
  id: string;
  version: string;
  startedAt: string;
  /** When this status was written. */
  lastSeen: string;
  connections: { socketio: { websocket: number; polling: number }; sse: number; longpoll: number; ws: number; total: number };
  /** Messages stored by this node in the last minute. */
  messagesLastMinute: number;
  rssBytes: number;
}

export interface NodeRegistry {
  readonly nodeId: string;
  /** Ids of the nodes whose heartbeat is current (this one included). */
  alive(): Promise<Set<string>>;
  /** Every live node's last status, this one's fresh. */
  list(): Promise<NodeStatus[]>;
  /** Starts the heartbeat (once this node's figures can be read). */
  start(): void;
  close(): Promise<void>;
}

export function createNodeRegistry(deps: { nodeId: string; status: () => NodeStatus; redis?: RedisConnections }): NodeRegistry {
  const { nodeId, status } = deps;
  const redis = deps.redis;
  if (!redis) {
    return {
      nodeId,
      alive: async () => new Set([nodeId]),
      list: async () => [status()],
      start() {},
      close: async () => {},
    };
  }
  const key = (id: string) => `${redis.prefix}node:${id}`;
  const beat = () =>
    redis.client.set(key(nodeId), JSON.stringify(status()), "PX", NODE_TTL_MS).catch(() => {
      // Redis is away: the key expires, and we are back with the next beat.
    });
  let timer: ReturnType<typeof setInterval> | undefined;

  const keys = async (): Promise<string[]> => {
    const out: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.client.scan(cursor, "MATCH", `${redis.prefix}node:*`, "COUNT", 200);
      out.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return out;
  };

  return {
    nodeId,
    start() {
      void beat();
      timer = setInterval(() => void beat(), HEARTBEAT_MS);
      timer.unref();
    },
    async alive() {
      const ids = (await keys()).map((k) => k.slice(`${redis.prefix}node:`.length));
      return new Set([...ids, nodeId]);
    },
    async list() {
      const found = await keys();
      const values = found.length ? await redis.client.mget(...found) : [];
      const others = values.flatMap((v) => {
        if (!v) return [];
        const s = JSON.parse(v) as NodeStatus;
        return s.id === nodeId ? [] : [s];
      });
      return [status(), ...others].sort((a, b) => a.id.localeCompare(b.id));
    },
    async close() {
      clearInterval(timer);
      // Leave at once rather than after the TTL: a clean shutdown takes its users out of presence now.
      await redis.client.del(key(nodeId)).catch(() => {});
    },
  };
}
