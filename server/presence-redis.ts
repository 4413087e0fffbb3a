/**
 * Cluster presence in Redis: one hash per room, a field per (node, user)
 * holding the user's public fields. Writes happen when a user's first
 * connection on a node joins a room or their last leaves; reads when a node
 * starts, comes back from an outage, or syncs (every SYNC_MS). Fields of
 * nodes whose heartbeat has expired are removed by whichever node sees it.
 */
import type { UserRef } from "./contract";
import type { NodeRegistry } from "./nodes";
import type { RedisConnections } from "./redis";
import type { PresenceStore } from "./services/presence";

const SEP = "|";

export function createRedisPresenceStore(redis: RedisConnections, nodes: NodeRegistry): PresenceStore {
  const key = (room: string) => `${redis.prefix}presence:${room}`;

  async function roomKeys(): Promise<string[]> {
    const out: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.client.scan(cursor, "MATCH", `${redis.prefix}presence:*`, "COUNT", 500);
      out.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return out;
  }

  return {
    async add(room, user, nodeId) {
      await redis.client.hset(key(room), `${nodeId}${SEP}${user.id}`, JSON.stringify(user));
    },
    async remove(room, userId, nodeId) {
      await redis.client.hdel(key(room), `${nodeId}${SEP}${userId}`);
    },
    async snapshot() {
      const alive = await nodes.alive();
      const rows: { room: string; nodeId: string; user: UserRef }[] = [];
      for (const k of await roomKeys()) {
        const room = k.slice(`${redis.prefix}presence:`.length);
        const fields = await redis.client.hgetall(k);
        const dead: string[] = [];
        for (const [field, value] of Object.entries(fields)) {
          const cut = field.lastIndexOf(SEP); // user ids have no SEP; a NODE_ID might
          const nodeId = field.slice(0, cut);
          if (!alive.has(nodeId)) {
            dead.push(field);
            continue;
          }
          rows.push({ room, nodeId, user: JSON.parse(value) as UserRef });
        }
        if (dead.length) await redis.client.hdel(k, ...dead);
      }
      return rows;
    },
  };
}
