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
 * The publishing node delivers to itself synchronously, without a round
 * trip, and ignores its own echo. While Redis is down, publishing is skipped
 * (nothing is queued in memory): the other nodes catch up from the log when
 * it returns.
 */
import type { Bus, BusEvent, BusHandler } from "./bus";
import type { RedisConnections } from "./redis";
import { logger } from "./log";

const log = logger("bus");

interface Envelope {
  node: string;
  event: BusEvent;
}

export function createRedisBus(redis: RedisConnections, nodeId: string): Bus {
  const channel = `${redis.prefix}bus`;
  const handlers = new Set<BusHandler>();
  const recovers = new Set<() => void>();
  let wasReady = redis.subscriber.status === "ready";
  let lost = false;

  const deliver = (event: BusEvent) => {
    for (const handler of handlers) {
      try {
        handler(event);
      } catch (err) {
        log.error({ err }, "subscriber failed");
      }
    }
  };

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
    deliver(envelope.event);
  });

  return {
    kind: "redis",
    publish(event) {
      deliver(event);
      if (redis.client.status !== "ready") return;
      redis.client.publish(channel, JSON.stringify({ node: nodeId, event } satisfies Envelope)).catch(() => {
        // Lost in an outage that began just now: the log has it.
      });
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onRecover(handler) {
      recovers.add(handler);
      return () => recovers.delete(handler);
    },
    async close() {
      handlers.clear();
      recovers.clear();
      await redis.subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}
