/**
 * Who is online in which room, across every node, and who is typing.
 *
 * Two views:
 * - local: this node's connections by room and user. A user is online here
 *   while at least one of their connections here has joined (two tabs count
 *   once). Entries go as soon as their last connection leaves, so the maps
 *   shrink back to empty.
 * - cluster: by room, each online user and the nodes that have them. Fed by
 *   the bus: when a user's first (or last) connection on a node comes (or
 *   goes), that node publishes the change; every node, this one included,
 *   applies it. With Redis, the same facts are kept in a hash per room, so a
 *   node that starts (or comes back after an outage) reads the others' state,
 *   and a node that dies (its heartbeat key expires) has its users removed by
 *   the others within NODE_TTL_MS + SYNC_MS.
 *
 * What clients get is deltas (`joined`, `left`), coalesced per room over
 * COALESCE_MS (longer in a crowd, windowOf), and only for users whose cluster-wide presence changed: a join
 * storm of n users costs n entries to each member, not n full lists (n²).
 * Each delta carries the room's new total. A join's answer carries the total
 * and the first ONLINE_LIST_MAX users by name (and the joiner): the whole
 * list, in every room but a crowd, whose members would otherwise each
 * receive a list of everyone, n² again.
 *
 * The cluster view keeps each room's users in name order as they come and
 * go (a binary search and an insert), so no read sorts the room.
 */
import type { Bus, BusEvent } from "../bus";
import type { PresencePayload, UserRef } from "../contract";
import { logger } from "../log";

const log = logger("presence");

/** Name order as people read it (what `localeCompare` gives), then id: a total order. */
const collator = new Intl.Collator();
const byName = (a: UserRef, b: UserRef) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Changes within this window reach clients as one delta per room (a join storm becomes a few frames). */
export const COALESCE_MS = 100;
/**
 * A delta costs one frame per member, so a crowded room's window grows with
 * it: COALESCE_MS up to CROWD members, then in proportion (1,000 online:
 * 200 ms, 3,000: 600 ms), at most MAX_COALESCE_MS. A join storm then costs
 * each member a few frames a second however fast people arrive.
 */
export const CROWD = 500;
export const MAX_COALESCE_MS = 2_000;
export function windowOf(online: number, base = COALESCE_MS): number {
  return Math.min(MAX_COALESCE_MS, Math.max(base, Math.round((base * online) / CROWD)));
}
/** At most this many users (by name) in a join's answer; the total is always there. */
export const ONLINE_LIST_MAX = 100;
/** A typing "true" is relayed at most this often per user and room (clients repeat it while typing). */
export const TYPING_THROTTLE_MS = 2_000;
/**
 * How often the cluster view is re-read from the store. Deltas on the bus
 * keep it live; this repairs what an outage lost and removes dead nodes'
 * users (their heartbeat expires after NODE_TTL_MS: gone within 20 s).
 */
export const SYNC_MS = 5_000;

export type PresenceBusEvent = Extract<BusEvent, { type: "presence" }>;

/** Where the cluster view is kept besides the nodes' memories (Redis), or nothing on one node. */
export interface PresenceStore {
  add(room: string, user: UserRef, nodeId: string): Promise<void>;
  remove(room: string, userId: string, nodeId: string): Promise<void>;
  /** Every (room, node, user) of the nodes that are alive now; entries of dead nodes are cleaned up. */
  snapshot(): Promise<{ room: string; nodeId: string; user: UserRef }[]>;
}

export interface PresenceService {
  join(room: string, user: UserRef, connId: string): void;
  leave(room: string, userId: string, connId: string): void;
  /** Removes a connection from every room it joined (disconnect). */
  dropConnection(connId: string): void;
  /** Relays a typing state, only from a connection that has joined the room, throttled. */
  typing(room: string, user: UserRef, typing: boolean, connId: string): void;
  /** Everyone online in the room, on any node, by name. */
  online(room: string): UserRef[];
  /** What a join answers: the first `max` users by name, the joiner among them, and the total. */
  listing(room: string, me: string, max?: number): { online: UserRef[]; count: number };
  count(room: string): number;
  /** Rooms a connection has joined (for tests and the operations view). */
  roomsOf(connId: string): string[];
  /** A presence change from any node (the fan-out hands it over). */
  ingest(event: PresenceBusEvent): void;
  /** Re-reads the cluster view from the store (start-up, after an outage, and every SYNC_MS). */
  sync(): Promise<void>;
  close(): void;
}

interface Occupant {
  user: UserRef;
  conns: Set<string>;
}

export function createPresenceService(deps: {
  bus: Bus;
  nodeId: string;
  /** Where clients' deltas go (the room streams' ephemeral path). */
  emit: (room: string, payload: PresencePayload) => void;
  store?: PresenceStore;
  coalesceMs?: number;
}): PresenceService {
  const { bus, nodeId, emit, store } = deps;
  const coalesceMs = deps.coalesceMs ?? COALESCE_MS;
  const local = new Map<string, Map<string, Occupant>>();
  const byConn = new Map<string, Map<string, string>>(); // connId -> room -> userId
  const cluster = new Map<string, Map<string, { user: UserRef; nodes: Set<string> }>>();
  /** Per room: the cluster view's users in name order (then id, so that every user has one place). */
  const ordered = new Map<string, UserRef[]>();
  /** Per room: users whose cluster presence may have changed since the last flush (and whether they were online then), and when it goes out. */
  const pending = new Map<string, { users: Map<string, { before: boolean; user: UserRef }>; due: number }>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let timerDue = Infinity;
  const typingSent = new Map<string, number>(); // room|user -> when "true" was last relayed
  let closed = false;

  const storeCall = (p: Promise<void>) =>
    p.catch((err: Error) => log.warn({ err }, "store write failed (the next sync repairs it)"));

  function mark(room: string, userId: string, user: UserRef, before: boolean) {
    let changes = pending.get(room);
    if (!changes) {
      pending.set(room, (changes = { users: new Map(), due: Date.now() + windowOf(cluster.get(room)?.size ?? 0, coalesceMs) }));
      schedule();
    }
    if (!changes.users.has(userId)) changes.users.set(userId, { before, user });
  }

  /** The timer runs for the room that is due first. */
  function schedule() {
    if (closed) return;
    let first = Infinity;
    for (const { due } of pending.values()) first = Math.min(first, due);
    if (first === Infinity || (flushTimer && timerDue <= first)) return;
    clearTimeout(flushTimer);
    timerDue = first;
    flushTimer = setTimeout(flush, Math.max(0, first - Date.now()));
    flushTimer.unref?.();
  }

  function flush() {
    flushTimer = undefined;
    timerDue = Infinity;
    const now = Date.now();
    for (const [room, changes] of pending) {
      if (changes.due > now) continue;
      pending.delete(room);
      const joined: UserRef[] = [];
      const left: string[] = [];
      const users = cluster.get(room);
      for (const [userId, { before, user }] of changes.users) {
        const after = users?.has(userId) ?? false;
        if (after && !before) joined.push(users!.get(userId)!.user ?? user);
        if (!after && before) left.push(userId);
      }
      if (joined.length || left.length) emit(room, { room, joined, left, count: users?.size ?? 0 });
    }
    schedule();
  }

  /** Applies one node's change to the cluster view. */
  function apply(room: string, node: string, joined: UserRef[], left: string[]) {
    let users = cluster.get(room);
    for (const user of joined) {
      if (!users) cluster.set(room, (users = new Map()));
      const entry = users.get(user.id);
      if (entry) {
        entry.nodes.add(node);
        if (entry.user.name !== user.name) {
          unplace(room, entry.user);
          place(room, user);
        } else replaceIn(room, user);
        entry.user = user;
      } else {
        mark(room, user.id, user, false);
        users.set(user.id, { user, nodes: new Set([node]) });
        place(room, user);
      }
    }
    for (const userId of left) {
      const entry = users?.get(userId);
      if (!entry || !entry.nodes.delete(node)) continue;
      if (entry.nodes.size > 0) continue;
      mark(room, userId, entry.user, true);
      users!.delete(userId);
      unplace(room, entry.user);
    }
    if (users && users.size === 0) {
      cluster.delete(room);
      ordered.delete(room);
    }
  }

  /** Where `user` is, or would go, in the room's order. */
  function indexIn(list: UserRef[], user: UserRef): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byName(list[mid]!, user) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  function place(room: string, user: UserRef) {
    let list = ordered.get(room);
    if (!list) ordered.set(room, (list = []));
    list.splice(indexIn(list, user), 0, user);
  }
  function unplace(room: string, user: UserRef) {
    const list = ordered.get(room);
    if (!list) return;
    const i = indexIn(list, user);
    if (list[i]?.id === user.id) list.splice(i, 1);
  }
  /** The same user (same name, same place) with fresher details. */
  function replaceIn(room: string, user: UserRef) {
    const list = ordered.get(room);
    if (!list) return;
    const i = indexIn(list, user);
    if (list[i]?.id === user.id) list[i] = user;
  }

  function publish(room: string, joined: UserRef[], left: string[]) {
    bus.publish({ type: "presence", room, node: nodeId, joined, left });
  }

  function remove(room: string, userId: string, connId: string) {
    const conns = byConn.get(connId);
    conns?.delete(room);
    if (conns && conns.size === 0) byConn.delete(connId);
    const occupants = local.get(room);
    const occ = occupants?.get(userId);
    if (!occupants || !occ || !occ.conns.delete(connId)) return;
    if (occ.conns.size > 0) return;
    occupants.delete(userId);
    if (occupants.size === 0) local.delete(room);
    typingSent.delete(`${room}|${userId}`);
    if (store) void storeCall(store.remove(room, userId, nodeId));
    apply(room, nodeId, [], [userId]);
    publish(room, [], [userId]);
  }

  function online(room: string): UserRef[] {
    return ordered.get(room)?.slice() ?? [];
  }

  const service: PresenceService = {
    join(room, user, connId) {
      let occupants = local.get(room);
      if (!occupants) local.set(room, (occupants = new Map()));
      let occ = occupants.get(user.id);
      const first = !occ;
      if (!occ) occupants.set(user.id, (occ = { user, conns: new Set() }));
      occ.user = user;
      occ.conns.add(connId);
      let conns = byConn.get(connId);
      if (!conns) byConn.set(connId, (conns = new Map()));
      conns.set(room, user.id);
      // Only the user's first connection here changes anything for anyone else.
      if (!first) return;
      if (store) void storeCall(store.add(room, user, nodeId));
      // Applied here at once (the joiner's answer lists them); the other nodes get it from the bus.
      apply(room, nodeId, [user], []);
      publish(room, [user], []);
    },
    leave: remove,
    dropConnection(connId) {
      const conns = byConn.get(connId);
      if (!conns) return;
      for (const [room, userId] of [...conns]) remove(room, userId, connId);
    },
    typing(room, user, typing, connId) {
      if (!byConn.get(connId)?.has(room)) return;
      const key = `${room}|${user.id}`;
      const last = typingSent.get(key);
      if (typing) {
        if (last !== undefined && Date.now() - last < TYPING_THROTTLE_MS) return;
        typingSent.set(key, Date.now());
      } else {
        // "Stopped" only matters to those who were told "typing".
        if (last === undefined) return;
        typingSent.delete(key);
      }
      bus.publish({ type: "typing", room, payload: { room, user, typing } });
    },
    online,
    listing(room, me, max = ONLINE_LIST_MAX) {
      const list = ordered.get(room) ?? [];
      const first = list.slice(0, max);
      if (list.length > max && !first.some((u) => u.id === me)) {
        const mine = cluster.get(room)?.get(me)?.user;
        if (mine) first.push(mine);
      }
      return { online: first, count: list.length };
    },
    count: (room) => cluster.get(room)?.size ?? 0,
    roomsOf: (connId) => [...(byConn.get(connId)?.keys() ?? [])],
    ingest(event) {
      // Our own changes were applied when they happened; an echo could come back after a later change.
      if (event.node === nodeId) return;
      apply(event.room, event.node, event.joined, event.left);
    },
    async sync() {
      if (!store) return;
      const rows = await store.snapshot();
      // Our own entries are what our memory says (the store may lag a failed write).
      const others = new Map<string, Map<string, Map<string, UserRef>>>(); // room -> node -> user
      for (const { room, nodeId: node, user } of rows) {
        if (node === nodeId) continue;
        let nodes = others.get(room);
        if (!nodes) others.set(room, (nodes = new Map()));
        let users = nodes.get(node);
        if (!users) nodes.set(node, (users = new Map()));
        users.set(user.id, user);
      }
      // Remove what the store no longer has (dead nodes, lost deltas), add what it has.
      for (const [room, users] of [...cluster]) {
        for (const [userId, entry] of [...users]) {
          for (const node of [...entry.nodes]) {
            if (node === nodeId) continue;
            if (!others.get(room)?.get(node)?.has(userId)) apply(room, node, [], [userId]);
          }
        }
      }
      for (const [room, nodes] of others) for (const [node, users] of nodes) apply(room, node, [...users.values()], []);
      // Our rows must match our memory: stale ones (a previous run with this
      // NODE_ID, a failed delete) go; missing ones (a write lost in an outage) come back.
      for (const row of rows) {
        if (row.nodeId === nodeId && !local.get(row.room)?.has(row.user.id)) void storeCall(store.remove(row.room, row.user.id, nodeId));
      }
      for (const [room, occupants] of local) {
        for (const occ of occupants.values()) {
          const known = rows.some((r) => r.room === room && r.nodeId === nodeId && r.user.id === occ.user.id);
          if (!known) void storeCall(store.add(room, occ.user, nodeId));
        }
      }
    },
    close() {
      closed = true;
      clearTimeout(flushTimer);
      clearInterval(syncTimer);
    },
  };
  const syncTimer = store
    ? setInterval(() => service.sync().catch((err: Error) => log.warn({ err }, "sync failed")), SYNC_MS)
    : undefined;
  syncTimer?.unref();
  return service;
}
