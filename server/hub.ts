/**
 * Local subscribers that are not Socket.IO sockets: SSE streams, long-poll
 * waiters and native WebSocket connections, keyed by room. The fan-out feeds
 * every bus event through here, so all transports see the same events in the
 * same order. Entries are removed when their subscriber goes away; an empty
 * room's set is deleted, so the map never outgrows the live connections.
 */
import type { BusEvent } from "./bus";

export type HubListener = (event: BusEvent) => void;
export type SubscriberKind = "sse" | "longpoll" | "ws";

/** Who holds a subscription, so a ban can close it. */
export interface Owner {
  userId: string;
  close(): void;
}

export interface Hub {
  subscribe(room: string, kind: SubscriberKind, listener: HubListener): () => void;
  deliver(event: BusEvent): void;
  /** Registers a signed-in user's connection (SSE stream, /ws socket), so a ban can close it. */
  own(owner: Owner): () => void;
  /** Closes every registered connection of a user (a ban). */
  kick(userId: string): void;
  /** Live subscribers of one room by kind (delivery accounting). */
  roomCounts(room: string): Record<SubscriberKind, number>;
  /** Live subscribers by kind (for the operations view and tests). */
  counts(): Record<SubscriberKind, number>;
}

export function createHub(): Hub {
  const rooms = new Map<string, Set<{ kind: SubscriberKind; listener: HubListener }>>();
  const count = (entries: Iterable<{ kind: SubscriberKind }>) => {
    const out: Record<SubscriberKind, number> = { sse: 0, longpoll: 0, ws: 0 };
    for (const { kind } of entries) out[kind] += 1;
    return out;
  };
  const connections = new Set<Owner>();
  return {
    own(owner) {
      connections.add(owner);
      return () => connections.delete(owner);
    },
    subscribe(room, kind, listener) {
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      const entry = { kind, listener };
      set.add(entry);
      return () => {
        const current = rooms.get(room);
        if (!current) return;
        current.delete(entry);
        if (current.size === 0) rooms.delete(room);
      };
    },
    deliver(event) {
      const set = rooms.get(event.room);
      if (!set) return;
      // Copy: a listener may unsubscribe (or subscribe) while we iterate.
      for (const { listener } of [...set]) {
        try {
          listener(event);
        } catch (err) {
          console.error("[hub] listener failed:", err);
        }
      }
    },
    kick(userId) {
      for (const owner of [...connections]) {
        if (owner.userId !== userId) continue;
        try {
          owner.close();
        } catch (err) {
          console.error("[hub] close failed:", err);
        }
      }
    },
    counts() {
      return count([...rooms.values()].flatMap((set) => [...set]));
    },
    roomCounts(room) {
      return count(rooms.get(room) ?? []);
    },
  };
}
