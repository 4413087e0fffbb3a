/**
 * Redis connections, when REDIS_URL is set. Every key and channel is under
 * REDIS_PREFIX, so several deployments (or test runs) can share one Redis.
 *
 * A node keeps two connections: one for commands and publishing, one for
 * subscribing (a subscribed connection can do nothing else). Both reconnect
 * by themselves with a capped backoff; while Redis is away, publishing is
 * skipped rather than queued (see bus-redis.ts for why that is safe), and
 * commands fail fast instead of piling up.
 */
import { Redis } from "ioredis";
import { logger } from "./log";

const log = logger("redis");

export interface RedisConnections {
  /** Commands and PUBLISH. */
  client: Redis;
  /** SUBSCRIBE only. */
  subscriber: Redis;
  prefix: string;
  close(): Promise<void>;
}

/** Reconnect attempts back off up to this: a restarted Redis is picked up within seconds. */
const MAX_RECONNECT_DELAY_MS = 2_000;

function connect(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    // Fail commands at once while disconnected: callers degrade (presence,
    // limits, stats) instead of waiting for an outage to end.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(100 * 2 ** times, MAX_RECONNECT_DELAY_MS),
    lazyConnect: true,
  });
  let reported = false;
  redis.on("error", (err) => {
    // One line per outage, not one per retry.
    if (!reported) log.error({ connection: name, err }, "Redis is unreachable");
    reported = true;
  });
  redis.on("ready", () => {
    if (reported) log.info({ connection: name }, "Redis connected again");
    reported = false;
  });
  return redis;
}

/**
 * Opens both connections. It resolves once both are up or after a first
 * failed attempt: a node whose Redis is down still starts (and answers 503 on
 * /api/ready) and picks Redis up when it comes.
 */
export async function connectRedis(url: string, prefix: string, nodeId: string): Promise<RedisConnections> {
  const client = connect(url, `relay-${nodeId}`);
  const subscriber = connect(url, `relay-${nodeId}-sub`);
  await Promise.all([client.connect().catch(() => {}), subscriber.connect().catch(() => {})]);
  return {
    client,
    subscriber,
    prefix,
    async close() {
      client.disconnect();
      subscriber.disconnect();
    },
  };
}
