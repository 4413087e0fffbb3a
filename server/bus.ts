/**
 * The bus carries every event that must reach clients. Domain services publish
 * on it only after their database transaction has committed; the fan-out
 * subscribes and delivers locally (Socket.IO rooms now; SSE and long-poll
 * waiters later). Because nothing else emits, a second node is a matter of
 * swapping this in-memory bus for a Redis one.
 *
 * Guarantees of MemoryBus: synchronous, in publish order, at-most-once per
 * subscriber. A throwing subscriber is logged and does not affect the others.
 */
import type { Broadcast, Message, MessageDeleted, MessageUpdated, PresencePayload, TypingPayload } from "./contract";

export type BusEvent =
  | { type: "message:new"; room: string; message: Message }
  | { type: "message:updated"; room: string; payload: MessageUpdated }
  | { type: "message:deleted"; room: string; payload: MessageDeleted }
  | { type: "broadcast"; room: string; seq: number; broadcast: Broadcast }
  | { type: "broadcast:retracted"; room: string; seq: number; id: string }
  /** A banned user: every connection of theirs, on every transport, is closed. `room` is empty. */
  | { type: "user:banned"; room: ""; userId: string }
  | { type: "presence"; room: string; payload: PresencePayload }
  | { type: "typing"; room: string; payload: TypingPayload };

export type BusHandler = (event: BusEvent) => void;

export interface Bus {
  readonly kind: "memory" | "redis";
  publish(event: BusEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}

export function createMemoryBus(): Bus {
  const handlers = new Set<BusHandler>();
  return {
    kind: "memory",
    publish(event) {
      for (const handler of handlers) {
        try {
          handler(event);
        } catch (err) {
          console.error("[bus] subscriber failed:", err);
        }
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
    },
  };
}

/** The seq an event takes in the room log, or null for ephemeral events (presence, typing). */
export function logSeq(event: BusEvent): number | null {
  switch (event.type) {
    case "message:new":
      return event.message.seq;
    case "message:updated":
    case "message:deleted":
      return event.payload.seq;
    case "broadcast":
    case "broadcast:retracted":
      return event.seq;
    default:
      return null;
  }
}
