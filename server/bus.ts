/**
 * The bus carries every event that must reach clients, on every node. Domain
 * services publish on it only after their database transaction has committed;
 * the fan-out subscribes and delivers locally. Nothing else emits, so a second
 * node is a matter of swapping this in-memory bus for the Redis one.
 *
 * What a bus promises, and what it does not: at-most-once, best-effort order.
 * A room's log events may arrive late, twice, out of order, or not at all (a
 * Redis outage, a slow node). That is acceptable because the database is the
 * log: the room streams (server/realtime/streams.ts) put events back in seq
 * order and fill any gap from the database, so no client ever depends on the
 * bus being perfect.
 *
 * Local delivery (to this node's own subscribers) is deferred to the next
 * turn of the event loop, in publish order: a service returns (and its ack
 * goes out) before the fan-out writes to hundreds of connections, and events
 * published in one burst are delivered together.
 *
 * MemoryBus: one process, in publish order. A throwing subscriber is logged
 * and does not affect the others.
 */
import type { LogEntry, RevokeReason, RoomRead, RoomSettings, TypingPayload, UserRef } from "./contract";
import { logger } from "./log";

const log = logger("bus");

export type { RevokeReason };

/** Which connections a revocation closes: every one matching all given fields. */
export interface RevokeScope {
  userId?: string;
  sessionId?: string;
  /** An API token or a feed token. */
  tokenId?: string;
  /** With userId: only that user's subscriptions of this room (removed from a private room). */
  room?: string;
}

export type BusEvent =
  /** A room-log event (message, edit, deletion, broadcast, retraction), after commit. */
  | { type: "log"; room: string; entry: LogEntry }
  /** One node's change: users whose first connection there joined the room, or whose last left. */
  | { type: "presence"; room: string; node: string; joined: UserRef[]; left: string[] }
  | { type: "typing"; room: string; payload: TypingPayload }
  /** Close every connection that depends on a withdrawn credential or permission. `room` is empty. */
  | { type: "revoke"; room: ""; scope: RevokeScope; reason: RevokeReason }
  /** For every connection of one user, on every node (read position, room settings). `room` is empty. */
  | { type: "user"; room: ""; userId: string; event: UserEvent };

/** An event addressed to one user's connections rather than to a room's. */
export type UserEvent =
  | ({ type: "room:read" } & RoomRead)
  | ({ type: "room:settings" } & RoomSettings)
  /** The user's list of rooms changed (a DM with them was opened): fetch it again. */
  | { type: "rooms:changed"; room: string };

export type BusHandler = (event: BusEvent) => void;

export interface Bus {
  readonly kind: "memory" | "redis";
  publish(event: BusEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(handler: BusHandler): () => void;
  /**
   * Called after the bus was cut off and came back (a Redis reconnect): events
   * published meanwhile may be lost, so streams re-read the log's head.
   */
  onRecover(handler: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Delivers events to this node's handlers on the next turn of the event loop,
 * in the order they were queued (shared by both buses).
 */
export function createLocalDelivery() {
  const handlers = new Set<BusHandler>();
  let queue: BusEvent[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    for (const event of batch) {
      for (const handler of handlers) {
        try {
          handler(event);
        } catch (err) {
          log.error({ err }, "subscriber failed");
        }
      }
    }
  };
  return {
    handlers,
    deliver(event: BusEvent) {
      queue.push(event);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    subscribe(handler: BusHandler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    clear() {
      handlers.clear();
      queue = [];
    },
  };
}

export function createMemoryBus(): Bus {
  const local = createLocalDelivery();
  return {
    kind: "memory",
    publish: local.deliver,
    subscribe: local.subscribe,
    onRecover() {
      // An in-process bus is never cut off.
      return () => {};
    },
    async close() {
      local.clear();
    },
  };
}
