/**
 * The bus across nodes: Redis pub/sub on one channel.
 *
 * Why pub/sub and not Redis Streams: the bus is only the fast path. The room
 * log lives in the database, and every node's room streams put events in
 * order and fill any gap from it (server/realtime/streams.ts). So what
 * matters here is what happens when things go wrong:
 * - Redis restarts (ours keeps nothing on disk): a stream would be lost with
 *   it anyway; pub/sub loses what was in flight, and `onRecover` tells every
 *   room stream to re-read its head, which fills what was missed.
 * - A node is slow: pub/sub never makes the others wait. Redis buffers for the
 *   slow subscriber up to its client-output-buffer limit, then cuts it; it
 *   reconnects and recovers from the log like after an outage. A stream would
 *   instead grow in Redis's memory for the slowest reader.
 * - Latency: one PUBLISH, no consumer-group bookkeeping, no polling.
 *
 * The publishing node delivers to itself without a round trip (on the next
 * turn of the event loop, like the memory bus), and ignores its own echo. While Redis is down, publishing is skipped
 * (nothing is queued in memory): the other nodes catch up from the log when
 * it returns.
 */
import { createLocalDelivery, type Bus, type BusEvent } from "./bus";
import type { RedisConnections } from "./redis";
import { logger } from "./log";

const log = logger("bus");

interface Envelope {
  node: string;
  event: BusEvent;
}

export function createRedisBus(redis: RedisConnections, nodeId: string): Bus {
  const channel = `${redis.prefix}bus`;
  const local = createLocalDelivery();
  const recovers = new Set<() => void>();
  let wasReady = redis.subscriber.status === "ready";
  let lost = false;

  const subscribe = () =>
    redis.subscriber.subscribe(channel).catch((err: Error) => log.error({ err }, "subscribing failed"));
  if (wasReady) void subscribe();

  redis.subscriber.on("ready", () => {
    void subscribe();
    // Everything published while we were away is gone from pub/sub, not from the log.
    if (wasReady || lost) for (const handler of recovers) handler();
    wasReady = true;
    lost = false;
  });
  redis.subscriber.on("close", () => {
    lost = true;
  });
  redis.subscriber.on("message", (ch: string, raw: string) => {
    if (ch !== channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return log.error("dropped a message that is not JSON");
    }
    if (envelope.node === nodeId) return; // delivered locally when published
    local.deliver(envelope.event);
  });

  return {
    kind: "redis",
    publish(event) {
      local.deliver(event);
      if (redis.client.status !== "ready") return;
      redis.client.publish(channel, JSON.stringify({ node: nodeId, event } satisfies Envelope)).catch(() => {
        // Lost in an outage that began just now: the log has it.
      });
    },
    subscribe: local.subscribe,
    onRecover(handler) {
      recovers.add(handler);
      return () => recovers.delete(handler);
    },
    async close() {
      local.clear();
      recovers.clear();
      await redis.subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}
