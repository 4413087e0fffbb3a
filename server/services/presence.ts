/**
 * Who is online in which room, on this node. A user is online in a room while
 * at least one of their connections has joined it (two tabs count once).
 * Entries are removed as soon as their last connection leaves, so the maps
 * shrink back to empty; nothing here grows with history.
 *
 * Every change publishes a `presence` event with the full list, so clients
 * never have to merge deltas.
 */
import type { Bus } from "../bus";
import type { UserRef } from "../contract";

export interface PresenceService {
  join(room: string, user: UserRef, connId: string): void;
  leave(room: string, userId: string, connId: string): void;
  /** Removes a connection from every room it joined (disconnect). */
  dropConnection(connId: string): void;
  /** Relays a typing state, only from a connection that has joined the room. */
  typing(room: string, user: UserRef, typing: boolean, connId: string): void;
  online(room: string): UserRef[];
  count(room: string): number;
  /** Rooms a connection has joined (for tests and the operations view). */
  roomsOf(connId: string): string[];
}

interface Occupant {
  user: UserRef;
  conns: Set<string>;
}

export function createPresenceService(bus: Bus): PresenceService {
  const rooms = new Map<string, Map<string, Occupant>>();
  const byConn = new Map<string, Map<string, string>>(); // connId -> room -> userId

  function publish(room: string) {
    bus.publish({ type: "presence", room, payload: { room, online: online(room) } });
  }

  function online(room: string): UserRef[] {
    const occupants = rooms.get(room);
    if (!occupants) return [];
    return [...occupants.values()]
      .map((o) => o.user)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  function remove(room: string, userId: string, connId: string): boolean {
    const conns = byConn.get(connId);
    conns?.delete(room);
    if (conns && conns.size === 0) byConn.delete(connId);
    const occupants = rooms.get(room);
    const occ = occupants?.get(userId);
    if (!occupants || !occ || !occ.conns.delete(connId)) return false;
    if (occ.conns.size > 0) return false;
    occupants.delete(userId);
    if (occupants.size === 0) rooms.delete(room);
    return true;
  }

  return {
    join(room, user, connId) {
      let occupants = rooms.get(room);
      if (!occupants) rooms.set(room, (occupants = new Map()));
      let occ = occupants.get(user.id);
      if (!occ) occupants.set(user.id, (occ = { user, conns: new Set() }));
      occ.user = user;
      occ.conns.add(connId);
      let conns = byConn.get(connId);
      if (!conns) byConn.set(connId, (conns = new Map()));
      conns.set(room, user.id);
      // Publish on every join, not only the first: the joining tab needs the
      // list even when the same user was already present from another tab.
      publish(room);
    },
    leave(room, userId, connId) {
      if (remove(room, userId, connId)) publish(room);
    },
    dropConnection(connId) {
      const conns = byConn.get(connId);
      if (!conns) return;
      for (const [room, userId] of [...conns]) {
        if (remove(room, userId, connId)) publish(room);
      }
    },
    typing(room, user, typing, connId) {
      if (!byConn.get(connId)?.has(room)) return;
      bus.publish({ type: "typing", room, payload: { room, user, typing } });
    },
    online,
    count: (room) => rooms.get(room)?.size ?? 0,
    roomsOf: (connId) => [...(byConn.get(connId)?.keys() ?? [])],
  };
}
